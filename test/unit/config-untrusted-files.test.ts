/**
 * Downloaded command files and pasted equations are untrusted input: whatever their size or
 * nesting, checking a config gives errors at file:line:col (never a throw, never a stack).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatConfigError, type ConfigError } from '../../src/config/errors.js';
import { parseConfig } from '../../src/load-config.js';
import { MAX_EQUATION_DEPTH } from '../../src/obd/custom/equation.js';
import { MAX_COMMAND_FILE_BYTES, MAX_JSON_DEPTH } from '../../src/obd/custom/file-format.js';

const dir = mkdtempSync(join(tmpdir(), 'obdio-untrusted-'));
const config = join(dir, 'obdio.yaml');

function errorsOf(yaml: string): ConfigError[] {
  const result = parseConfig(yaml, config, {});
  if (result.ok) assert.fail('the config was accepted');
  return result.errors;
}

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

test('an equation of 5000 nested parentheses in obdio.yaml is an error at file:line:col', () => {
  const deep = `${'('.repeat(5000)}A${')'.repeat(5000)}`;
  const [error, ...rest] = errorsOf(`commands:\n  DEEP:\n    request: "220101"\n    equation: "${deep}"\n`);
  assert.deepEqual(rest, []);
  assert.equal(error!.file, config);
  assert.equal(error!.line, 4);
  assert.match(error!.message, /^commands\.DEEP\.equation: the equation is 10001 characters long; at most 2000 are accepted/);
});

test('an equation nested past the limit is an error at the column of the parenthesis that goes too deep', () => {
  const depth = MAX_EQUATION_DEPTH + 1;
  const [error] = errorsOf(`commands:\n  DEEP:\n    request: "220101"\n    equation: "${'('.repeat(depth)}A${')'.repeat(depth)}"\n`);
  // The value starts after `    equation: "` (column 16); the 65th '(' is 64 characters further.
  assert.deepEqual([error!.line, error!.col], [4, 16 + MAX_EQUATION_DEPTH]);
  assert.match(
    formatConfigError(error!),
    new RegExp(
      `^${config}:4:${16 + MAX_EQUATION_DEPTH} commands\\.DEEP\\.equation: the equation nests deeper than ${MAX_EQUATION_DEPTH} levels`,
    ),
  );
});

test('a command file larger than the limit is an error at its commands_from entry', () => {
  const big = write('big.csv', `Name,Short,2101,A,0,1,,7E4\n${'#'.repeat(MAX_COMMAND_FILE_BYTES)}\n`);
  const [error] = errorsOf(`commands_from:\n  - ${big}\n`);
  assert.deepEqual([error!.file, error!.line, error!.col], [config, 2, 5]);
  assert.match(
    error!.message,
    new RegExp(`commands_from: .*big\\.csv is \\d+ bytes; a command file may be at most ${MAX_COMMAND_FILE_BYTES} bytes`),
  );
});

test('JSON nested past the limit (ABRP or OBDb) is an error at the bracket that goes too deep, before any parser recurses', () => {
  const abrp = write('deep-abrp.json', `{"data_commands": {"command": []},\n "x": ${'['.repeat(100000)}${']'.repeat(100000)}}`);
  const obdb = write('deep-obdb.json', `{"commands": ${'['.repeat(100000)}${']'.repeat(100000)}}`);
  for (const [file, line, col] of [
    [abrp, 2, 7 + MAX_JSON_DEPTH - 1],
    [obdb, 1, 14 + MAX_JSON_DEPTH - 1],
  ] as const) {
    const [error, ...rest] = errorsOf(`commands_from: [${file}]\n`);
    assert.deepEqual(rest, []);
    assert.deepEqual([error!.file, error!.line, error!.col], [file, line, col]);
    assert.match(error!.message, new RegExp(`the JSON nests deeper than ${MAX_JSON_DEPTH} levels here`));
  }
});

test('too long or too deep equations inside downloaded files leave that entry out with a warning at file:line:col', () => {
  const deep = `${'('.repeat(5000)}A${')'.repeat(5000)}`;
  const torque = write('deep.csv', `Good,Good,2101,A/2,0,1,%,7E4\nDeep,Deep,2101,${deep},0,1,,7E4\n`);
  const abrpText = JSON.stringify({
    data_commands: { command: ['2101'] },
    soc: { equation: 'A/2', command: '2101', ecu: '7E4' },
    deep: { equation: deep, command: '2101', ecu: '7E4' },
  });
  const abrp = write('deep-equation.json', abrpText);
  const result = parseConfig(`commands_from: [${torque}, ${abrp}]\n`, config, {});
  assert.ok(result.ok, result.ok ? '' : result.errors.map(formatConfigError).join('\n'));
  // Both point at the equation's 2001st character, the first past the limit.
  assert.deepEqual(
    result.warnings.map((w) => [w.file, w.line, w.col]),
    [
      [torque, 2, 16 + 2000],
      [abrp, 1, abrpText.indexOf(deep) + 1 + 2000],
    ],
  );
  assert.match(
    result.warnings[0]!.message,
    /^Deep: Equation: the equation is 10001 characters long; at most 2000 are accepted; this PID is left out$/,
  );
});

test('obdio.yaml nested 100000 deep is a YAML error at line:col that says so, not a stack overflow', () => {
  const [error] = errorsOf(`watch:\n  commands: ${'['.repeat(100000)}${']'.repeat(100000)}\n`);
  assert.equal(error!.line, 2);
  assert.ok(error!.col > 1);
  assert.equal(error!.message, 'YAML syntax: lists or mappings nested too deeply to read');
});
