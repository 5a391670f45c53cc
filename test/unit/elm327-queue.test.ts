import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CommandQueue } from '../../src/elm327/queue.js';
import { ElmError } from '../../src/elm327/errors.js';

function setup(options: { maxWaiting?: number; maxReplyBytes?: number } = {}) {
  const written: string[] = [];
  let failWrites = false;
  const queue = new CommandQueue(
    (text) => {
      if (failWrites) throw new Error('port closed');
      written.push(text);
    },
    { maxWaiting: options.maxWaiting ?? 16, maxReplyBytes: options.maxReplyBytes ?? 4096 },
  );
  const reply = (text: string): void => queue.push(Buffer.from(text, 'latin1'));
  return { queue, written, reply, breakWrites: () => (failWrites = true) };
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

function isElmError(code: string) {
  return (err: unknown): boolean => err instanceof ElmError && err.code === code;
}

test('only one request is on the wire; the next is written when the prompt arrives', async () => {
  const { queue, written, reply } = setup();
  const a = queue.send('010C', 1000);
  const b = queue.send('010D', 1000);
  assert.deepEqual(written, ['010C\r']);
  reply('41 0C 1A F8\r\r>');
  assert.deepEqual(await a, ['41 0C 1A F8']);
  assert.deepEqual(written, ['010C\r', '010D\r']);
  reply('41 0D 32\r\r>');
  assert.deepEqual(await b, ['41 0D 32']);
});

test('a reply without a prompt times out with TIMEOUT', async () => {
  const { queue, reply } = setup();
  const a = queue.send('010C', 30);
  reply('41 0C 1A F8\r'); // no prompt
  await assert.rejects(a, isElmError('TIMEOUT'));
});

test('after a timeout, the late reply is not taken for the next answer', async () => {
  const { queue, written, reply } = setup();
  const a = queue.send('0100', 20);
  await assert.rejects(a, isElmError('TIMEOUT'));
  const b = queue.send('010D', 1000);
  // The adapter may still be busy with 0100: nothing is written over it...
  assert.deepEqual(written, ['0100\r']);
  // ...until its late reply ends with a prompt.
  reply('7E8 06 41 00 BE 3F A8 13\r\r>');
  assert.deepEqual(written, ['0100\r', '010D\r']);
  reply('7E8 03 41 0D 32\r\r>');
  assert.deepEqual(await b, ['7E8 03 41 0D 32']);
});

test('after a timeout with no late prompt at all, the next request goes out after its own timeout', async () => {
  const { queue, written, reply } = setup();
  await assert.rejects(queue.send('0100', 10), isElmError('TIMEOUT'));
  const b = queue.send('010D', 20);
  while (written.length < 2) await new Promise((r) => setTimeout(r, 5));
  assert.equal(written[1], '010D\r');
  reply('41 0D 32\r\r>');
  assert.deepEqual(await b, ['41 0D 32']);
});

test('stale bytes that arrive while idle are flushed before the next command', async () => {
  const { queue, reply } = setup();
  reply('LP ALERT\r'); // unsolicited, no prompt
  const a = queue.send('010D', 1000);
  reply('41 0D 32\r\r>');
  assert.deepEqual(await a, ['41 0D 32']);
});

test('fail() rejects the request in flight and all waiting ones, and refuses new ones until open()', async () => {
  const { queue, written, reply } = setup();
  const a = queue.send('010C', 1000);
  const b = queue.send('010D', 1000);
  queue.fail(new ElmError('CLOSED', 'closed'));
  await assert.rejects(a, isElmError('CLOSED'));
  await assert.rejects(b, isElmError('CLOSED'));
  await assert.rejects(queue.send('0105', 1000), isElmError('CLOSED'));
  assert.equal(queue.size, 0);
  queue.open();
  const c = queue.send('0105', 1000);
  reply('41 05 7B\r\r>');
  assert.deepEqual(await c, ['41 05 7B']);
  assert.deepEqual(written, ['010C\r', '0105\r']);
});

test('the queue is bounded: beyond maxWaiting a request is refused with QUEUE_FULL', async () => {
  const { queue, reply } = setup({ maxWaiting: 2 });
  const inFlight = queue.send('01', 1000);
  const w1 = queue.send('02', 1000);
  const w2 = queue.send('03', 1000);
  await assert.rejects(queue.send('04', 1000), isElmError('QUEUE_FULL'));
  reply('A\r>');
  reply('B\r>');
  reply('C\r>');
  assert.deepEqual(await Promise.all([inFlight, w1, w2]), [['A'], ['B'], ['C']]);
});

test('a reply larger than the cap fails with BUFFER_FULL and the queue recovers at the prompt', async () => {
  const { queue, written, reply } = setup({ maxReplyBytes: 64 });
  const a = queue.send('0902', 1000);
  const b = queue.send('010D', 1000);
  reply('7E8 10 14 49 02 01 31 44 34\r'.repeat(4));
  await assert.rejects(a, isElmError('BUFFER_FULL'));
  assert.deepEqual(written, ['0902\r']);
  reply('7E8 21 47 50 30 30 52 35 35\r\r>');
  assert.deepEqual(written, ['0902\r', '010D\r']);
  reply('41 0D 32\r\r>');
  assert.deepEqual(await b, ['41 0D 32']);
});

test('a failing write rejects that request with NOT_CONNECTED', async () => {
  const { queue, breakWrites } = setup();
  breakWrites();
  await assert.rejects(queue.send('010C', 1000), isElmError('NOT_CONNECTED'));
  await tick();
});

test('exchangeRaw resolves with the unsplit text before the prompt', async () => {
  const { queue, written, reply } = setup();
  const probe = queue.exchangeRaw('\x7F\x7F\r', 1000);
  assert.deepEqual(written, ['\x7F\x7F\r']);
  reply('\x7F\x7F\r?\r\r>');
  assert.equal(await probe, '\x7F\x7F\r?\r\r');
});
