/**
 * The Part contract (src/config/part.ts): the one rule hot reload follows for every part, and
 * /metrics reading each part's metrics() through it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpecText } from '../../src/config/load.js';
import { reconfigure, type ApplyResult, type Part, type PartMetric } from '../../src/config/part.js';
import type { Spec } from '../../src/config/spec.js';
import { ObdService } from '../../src/api/obd-service.js';
import { Metrics } from '../../src/server/metrics.js';
import { silentLogger } from '../../src/log.js';

function spec(yaml: string): Spec {
  const result = parseSpecText(yaml, '/cfg/obdio.yaml', {});
  if (!result.ok) assert.fail(result.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n'));
  return result.spec;
}

/** A part that writes down what it was asked, and answers apply() with `answer`. */
function recordingPart(name: string, answer: ApplyResult = 'applied') {
  const calls: string[] = [];
  const part: Part = {
    name,
    start: (s) => void calls.push(`start ${s.server.port}`),
    apply: (previous, next) => {
      calls.push(`apply ${previous.server.port}->${next.server.port}`);
      return answer;
    },
    stop: () => void calls.push('stop'),
  };
  return { part, calls };
}

test('a key marked x-restart for the part changed: stop and start, apply() is not asked', async () => {
  const { part, calls } = recordingPart('server');
  assert.equal(await reconfigure(part, spec('server: { port: 1000 }'), spec('server: { port: 2000 }')), 'restarted');
  assert.deepEqual(calls, ['stop', 'start 2000']);
});

test('any connection key restarts the connection part (the whole section is marked)', async () => {
  const { part, calls } = recordingPart('connection');
  assert.equal(await reconfigure(part, spec('connection: { timeout: 0.1 }'), spec('connection: { timeout: 0.2 }')), 'restarted');
  assert.deepEqual(calls, ['stop', 'start 48484']);
});

test('other changes are applied live; a part may still answer restart', async () => {
  const live = recordingPart('server');
  assert.equal(await reconfigure(live.part, spec('server: { auth: { token: a } }'), spec('server: { auth: { token: b } }')), 'applied');
  assert.deepEqual(live.calls, ['apply 48484->48484']);

  const asks = recordingPart('mine', 'restart');
  assert.equal(await reconfigure(asks.part, spec(''), spec('server: { port: 2000 }')), 'restarted');
  assert.deepEqual(asks.calls, ['apply 48484->2000', 'stop', 'start 2000']);
});

test('a marker of another part does not restart this one', async () => {
  const { part, calls } = recordingPart('mqtt');
  assert.equal(await reconfigure(part, spec('server: { port: 1000 }'), spec('server: { port: 2000 }')), 'applied');
  assert.deepEqual(calls, ['apply 1000->2000']);
});

test('/metrics reads every part through metrics(): current values, null as NaN', async () => {
  let count = 1;
  const figures = (): PartMetric[] => [
    { name: 'obdio_test_things_total', help: 'Things counted', type: 'counter', value: count },
    { name: 'obdio_test_level', help: 'A level, unknown for now', type: 'gauge', value: null },
  ];
  const part: Part = { name: 'test', start: () => undefined, apply: () => 'applied', stop: () => undefined, metrics: figures };
  const metrics = new Metrics({ service: new ObdService('sim', 0.25, silentLogger()), parts: () => [part] });
  try {
    const first = (await metrics.prometheusText()).text;
    assert.match(
      first,
      /# HELP obdio_test_things_total Things counted\n# TYPE obdio_test_things_total counter\nobdio_test_things_total 1\n/,
    );
    // prom-client writes NaN as "Nan"; Prometheus reads either.
    assert.match(first, /# TYPE obdio_test_level gauge\nobdio_test_level nan\n/i);
    count = 5;
    assert.match((await metrics.prometheusText()).text, /\nobdio_test_things_total 5\n/);
  } finally {
    metrics.stop();
  }
});
