import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseReader, splitReply } from '../../src/elm327/reader.js';

function collect(maxBytes = 4096): { reader: ResponseReader; replies: string[]; overflows: number[] } {
  const replies: string[] = [];
  const overflows: number[] = [];
  const reader = new ResponseReader({ maxBytes, onReply: (t) => replies.push(t), onOverflow: (n) => overflows.push(n) });
  return { reader, replies, overflows };
}

test('a reply split over several chunks is delivered once, at the prompt', () => {
  const { reader, replies } = collect();
  reader.push(Buffer.from('41 0C'));
  reader.push(Buffer.from(' 1A F8\r'));
  assert.deepEqual(replies, []);
  reader.push(Buffer.from('\r>'));
  assert.deepEqual(replies, ['41 0C 1A F8\r\r']);
  assert.deepEqual(splitReply(replies[0], '010C'), ['41 0C 1A F8']);
});

test('two prompts in one chunk are two replies', () => {
  const { reader, replies } = collect();
  reader.push(Buffer.from('OK\r\r>41 0D 32\r\r>'));
  assert.deepEqual(replies, ['OK\r\r', '41 0D 32\r\r']);
});

test('lines split on CR and LF; empty lines, NULs and surrounding spaces are dropped', () => {
  const text = '\r\n7E8 06 41 00 BE 3F A8 13 \r\n\0\r\n7E9 06 41 00 98 18 80 11\r\n\r\n';
  assert.deepEqual(splitReply(text, '0100'), ['7E8 06 41 00 BE 3F A8 13', '7E9 06 41 00 98 18 80 11']);
  assert.deepEqual(splitReply('\0\x0041 0D 00\r\0', '010D'), ['41 0D 00']);
});

test('the echo of the command is dropped, even with different spacing or case', () => {
  assert.deepEqual(splitReply('ATZ\r\r\rELM327 v1.5\r\r', 'ATZ'), ['ELM327 v1.5']);
  assert.deepEqual(splitReply('AT E0\rOK\r\r', 'ATE0'), ['OK']);
  assert.deepEqual(splitReply('atrv\r12.6V\r\r', 'ATRV'), ['12.6V']);
  // Only the first line can be the echo; a data line equal to the command stays.
  assert.deepEqual(splitReply('OK\rATZ\r', 'ATZ'), ['OK', 'ATZ']);
});

test('garbage before the reply stays in its own line and does not hide the answer', () => {
  const { reader, replies } = collect();
  reader.push(Buffer.from([0xfc, 0x80, 0x0d, 0x0d]));
  reader.push(Buffer.from('ELM327 v1.5\r\r>'));
  const lines = splitReply(replies[0], 'ATZ');
  assert.equal(lines.length, 2);
  assert.equal(lines[1], 'ELM327 v1.5');
});

test('a reply that never reaches its prompt is capped, then the reader resynchronises at the next prompt', () => {
  const { reader, replies, overflows } = collect(32);
  reader.push(Buffer.alloc(20, 0x41));
  reader.push(Buffer.alloc(20, 0x42));
  assert.equal(overflows.length, 1);
  assert.ok(reader.pending <= 32);
  reader.push(Buffer.alloc(100, 0x43)); // still discarding, no growth
  assert.equal(reader.pending, 0);
  reader.push(Buffer.from('CCC\r>OK\r\r>'));
  assert.deepEqual(replies, ['', 'OK\r\r']);
});

test('reset drops a partial reply', () => {
  const { reader, replies } = collect();
  reader.push(Buffer.from('stale 41 0C'));
  reader.reset();
  reader.push(Buffer.from('41 0D 32\r\r>'));
  assert.deepEqual(replies, ['41 0D 32\r\r']);
});
