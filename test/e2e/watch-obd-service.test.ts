import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startGateway } from '../helpers/gateway.js';

test('a watched command answers from its latest value only while that value is kept fresh', async () => {
  const gateway = await startGateway('watch:\n  commands: [RPM]\n  interval: 0.01\n');
  try {
    const service = gateway.service;
    const rpm = service.command('RPM')!;
    while (!service.scheduler.latest(rpm)) await new Promise((r) => setTimeout(r, 5));
    const cached = service.scheduler.latest(rpm)!;
    assert.equal((await service.query(rpm)).response, cached, 'streaming: the cached response, no bus request');
    // The adapter is lost while the stream is on: the stale value must not pass for a current one.
    service.setConnection(null);
    assert.equal(service.scheduler.running, true);
    const { response, failure } = await service.query(rpm);
    assert.equal(response.value, null);
    assert.equal(failure?.code, 'NOT_CONNECTED');
  } finally {
    await gateway.stop();
  }
});
