import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BoundedQueue, parseRequest, vehicleTopics } from '../../src/sinks/mqtt.js';

test('BoundedQueue keeps the newest `capacity` items in order and counts what it drops', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 20 }), fc.array(fc.integer(), { maxLength: 60 }), (capacity, items) => {
      const queue = new BoundedQueue<number>(capacity);
      let dropped = 0;
      for (const item of items) dropped += queue.push(item);
      const kept: number[] = [];
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) kept.push(item);
      assert.deepEqual(kept, capacity === 0 ? [] : items.slice(Math.max(0, items.length - capacity)));
      assert.equal(dropped, items.length - kept.length);
    }),
  );
});

test('BoundedQueue.resize keeps the newest items and reports the dropped ones', () => {
  const queue = new BoundedQueue<string>(5);
  for (const item of ['a', 'b', 'c', 'd']) queue.push(item);
  assert.equal(queue.resize(2), 2);
  assert.deepEqual([queue.shift(), queue.shift(), queue.shift()], ['c', 'd', undefined]);
  assert.equal(queue.resize(3), 0);
  queue.push('x');
  assert.equal(queue.size, 1);
});

test('request payloads: empty, a JSON value, plain text, or an envelope with args and id', () => {
  const parse = (text: string) => parseRequest(Buffer.from(text));
  assert.deepEqual(parse(''), { args: [], id: null });
  assert.deepEqual(parse('  RPM \n'), { args: ['RPM'], id: null });
  assert.deepEqual(parse('"RPM"'), { args: ['RPM'], id: null });
  assert.deepEqual(parse('["RPM", "SPEED"]'), { args: [['RPM', 'SPEED']], id: null });
  assert.deepEqual(parse('{"args": ["RPM"], "id": "a1"}'), { args: ['RPM'], id: 'a1' });
  assert.deepEqual(parse('{"args": "RPM", "id": 3}'), { args: ['RPM'], id: 3 });
  assert.deepEqual(parse('{"id": {"no": "objects"}}'), { args: [], id: null });
  assert.deepEqual(parse('12'), { args: [12], id: null });
});

test('topics of a vehicle under the base topic', () => {
  const topics = vehicleTopics({ base_topic: 'home/obdio', vehicle: 'van' });
  assert.equal(topics.state('RPM'), 'home/obdio/van/RPM');
  assert.equal(topics.availability, 'home/obdio/van/availability');
  assert.equal(topics.adapter, 'home/obdio/van/adapter');
  assert.equal(topics.dtc, 'home/obdio/van/dtc');
  assert.equal(topics.request, 'home/obdio/van/request/+');
  assert.equal(topics.response('query'), 'home/obdio/van/response/query');
});
