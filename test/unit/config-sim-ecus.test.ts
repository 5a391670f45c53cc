import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpecText } from '../../src/config/load.js';
import type { ConfigError } from '../../src/config/errors.js';

function ecusOf(yaml: string) {
  const result = parseSpecText(yaml, null, {});
  if (!result.ok) assert.fail(result.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n'));
  return result.spec.connection.sim.ecus;
}

function errorsOf(yaml: string): ConfigError[] {
  const result = parseSpecText(yaml, null, {});
  if (result.ok) assert.fail('accepted');
  return result.errors;
}

test('connection.sim.ecus: headers, requests and replies keep the text they were written with', () => {
  // Unquoted, YAML reads 7E4 as 70000, 0101 as 101 and 64 as sixty-four: the simulator gets them as written.
  const ecus = ecusOf(
    'connection:\n  sim:\n    ecus:\n      7E4:\n        220101: 64\n        0101: "0A 0b"\n      "18DA10F1":\n        "221234": C80FA0\n',
  );
  assert.deepEqual(ecus, {
    '7E4': { '220101': [{ kind: 'bytes', bytes: [0x64] }], '0101': [{ kind: 'bytes', bytes: [0x0a, 0x0b] }] },
    '18DA10F1': { '221234': [{ kind: 'bytes', bytes: [0xc8, 0x0f, 0xa0] }] },
  });
});

test('connection.sim.ecus: generators alone or in a list, durations in ms, one byte by default', () => {
  const ecus = ecusOf(`
connection:
  sim:
    ecus:
      "7E4":
        "220101": { ramp: { min: 0, max: 200, period: 10s } }
        "220102": ["01", { sine: { min: -100, max: 100, period: 500ms, bytes: 2 } }, "FF"]
`);
  assert.deepEqual(ecus['7E4'], {
    '220101': [{ kind: 'ramp', min: 0, max: 200, period: 10_000, bytes: 1 }],
    '220102': [
      { kind: 'bytes', bytes: [1] },
      { kind: 'sine', min: -100, max: 100, period: 500, bytes: 2 },
      { kind: 'bytes', bytes: [0xff] },
    ],
  });
});

test('connection.sim.ecus: bad headers, requests, bytes and generators are errors at their place', () => {
  const yaml = `connection:
  sim:
    ecus:
      "7G4": { "220101": "00" }
      "7E4":
        "2201X": "00"
        "220102": "ABC"
        "220103": { ramp: { min: 5, max: 5, period: 1s } }
        "220104": { sine: { min: 0, max: 300, period: 1s } }
        "220105": { sine: { min: -200, max: 100, period: 1s } }
        "220106": { ramp: { min: 0, max: 10, period: 1s, step: 2 } }
`;
  const errors = errorsOf(yaml);
  // The schema's own checks (an unknown key) stop before the rest is looked at.
  assert.ok(
    errors.every((e) => e.code === 'schema' && e.path.includes('220106')),
    errors.map((e) => e.message).join('\n'),
  );
  assert.ok(errors.some((e) => /unknown key 'step'/.test(e.message)));
  const rest = errorsOf(yaml.replace(', step: 2', ''));
  const lineOf = (needle: string) => yaml.split('\n').findIndex((l) => l.includes(needle)) + 1;
  assert.deepEqual(
    rest.map((e) => e.line),
    [lineOf('"7G4"'), lineOf('"2201X"'), lineOf('"ABC"'), lineOf('220103'), lineOf('220104'), lineOf('220105')],
    rest.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n'),
  );
  assert.match(rest[0]!.message, /'7G4' is not a header/);
  assert.match(rest[1]!.message, /'2201X' is not a request/);
  assert.match(rest[2]!.message, /'ABC' is not hex bytes/);
  assert.match(rest[3]!.message, /max must be above min/);
  assert.match(rest[4]!.message, /0 to 300 does not fit in 1 byte/);
  assert.match(rest[5]!.message, /-200 to 100 does not fit in 1 byte/);
});
