/**
 * Watch callbacks (the reference's watch_callback, declared) through real Socket.IO clients,
 * on the simulator. Rates are checked as counts over a window, never as exact timings.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Socket } from 'socket.io-client';
import type { Gateway } from '../../src/gateway.js';
import { collect, connect, next, startGateway } from '../helpers/gateway.js';

interface WireResponse {
  value: unknown;
  command: { name: string };
  time: number;
  unit: string | null;
}

const CONFIG = `
dashboard: false
watch:
  commands: { RPM: 40hz, OBD_COMPLIANCE: 20hz }
  interval: 0.01
  callbacks:
    - name: raw
      emit: { event: raw }
    - name: live
      cache: true
      emit: { event: live, every: 250ms }
    - name: garage
      filter: { commands: [RPM] }
      emit: { event: garage_rpm, to: 'room:garage', data: '{"rpm": {{json RPM.value}}, "unit": "{{unit response}}" }' }
    - name: changes
      filter: { commands: [OBD_COMPLIANCE] }
      on_change: true
      emit: { event: compliance }
    - name: coarse
      filter: { commands: [RPM], deadband: 100000 }
      emit: { event: coarse }
events:
  custom:
    enter:
      - join: '{{args}}'
`;

describe('watch callbacks streaming to clients', () => {
  let gateway: Gateway;
  let client: Socket;

  before(async () => {
    gateway = await startGateway(CONFIG);
    client = await connect(gateway);
    await next(client, 'raw'); // streaming has begun
  });
  after(async () => {
    client.disconnect();
    await gateway.stop();
  });

  test('a throttled cache streams at most once per `every`, far less than the raw stream, and carries every command', async () => {
    const [raw, live] = await Promise.all([
      collect<WireResponse>(client, 'raw', 1200),
      collect<Record<string, WireResponse>>(client, 'live', 1200),
    ]);
    // 1.2 s at one emit per 250 ms: 4-6 emits (the window does not line up with the throttle).
    assert.ok(live.length >= 3 && live.length <= 6, `${live.length} live emits`);
    assert.ok(raw.length > 4 * live.length, `${raw.length} raw vs ${live.length} live`);
    const last = live.at(-1)!;
    assert.deepEqual(Object.keys(last).sort(), ['OBD_COMPLIANCE', 'RPM']);
    assert.equal(last.RPM!.command.name, 'RPM');
    assert.equal(last.RPM!.unit, 'revolutions_per_minute');
    // The cache always holds the newest RPM: never older than a raw value sent before it.
    const times = live.map((l) => l.RPM!.time);
    assert.deepEqual(
      [...times].sort((x, y) => x - y),
      times,
      'cache values only move forward',
    );
  });

  test('a room-targeted callback reaches only the room; its data template sees the response', async () => {
    assert.deepEqual(await collect(client, 'garage_rpm', 300), [], 'not in the room yet');
    client.emit('enter', 'garage');
    const received = await collect<{ rpm: number; unit: string }>(client, 'garage_rpm', 500);
    assert.ok(received.length > 3, `${received.length} room emits`);
    for (const r of received) {
      assert.equal(typeof r.rpm, 'number');
      assert.equal(r.unit, 'rpm');
    }
  });

  test('on_change drops repeated values; a wide deadband holds a moving value back', async () => {
    const [raw, compliance, coarse] = await Promise.all([
      collect<WireResponse>(client, 'raw', 1000),
      collect<WireResponse>(client, 'compliance', 1000),
      collect<WireResponse>(client, 'coarse', 1000),
    ]);
    const rawCompliance = raw.filter((r) => r.command.name === 'OBD_COMPLIANCE');
    const distinct = new Set(rawCompliance.map((r) => JSON.stringify(r.value)));
    assert.ok(rawCompliance.length >= 5, `${rawCompliance.length} raw OBD_COMPLIANCE responses`);
    assert.ok(compliance.length <= distinct.size, `${compliance.length} on_change emits for ${distinct.size} distinct values`);
    const rpmValues = new Set(raw.filter((r) => r.command.name === 'RPM').map((r) => r.value));
    assert.ok(rpmValues.size > 1, 'RPM moved during the window');
    assert.deepEqual(coarse, [], 'no RPM change reaches a 100000 rpm deadband after the first value');
  });
});
