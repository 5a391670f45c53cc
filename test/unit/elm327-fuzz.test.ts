/**
 * Property tests of the ELM327 reply path: whatever bytes come back for a request (random
 * bytes, partial lines, no prompt, echo garbage, adapter errors, a flood), the request ends in an
 * ElmError or in well-formed Messages, nothing rejects unhandled, and the next request gets its
 * own answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Elm327, ElmError, type Elm327Options } from '../../src/elm327/driver.js';
import type { Message } from '../../src/elm327/message.js';
import { ScriptedAdapter } from '../helpers/scripted-adapter.js';

const TIMEOUT_MS = 25;
const OPTIONS: Elm327Options = { baudrate: 38400, protocol: '6', timeout: TIMEOUT_MS, checkVoltage: false, startLowPower: false };
/** The request whose answer is fuzzed, and the one that must work right after it. */
const FUZZED = '010C';
const GOOD = '0105';

/** A scripted adapter whose answer to FUZZED is whatever the current case says, byte for byte. */
class FuzzAdapter extends ScriptedAdapter {
  chunks: Buffer[] = [];

  constructor() {
    super({ replies: { ATTP6: 'OK', ATSP6: 'OK', [FUZZED]: null, [GOOD]: '7E8 03 41 05 7B', '0100': '7E8 06 41 00 BE 3F A8 13' } });
  }

  override write(text: string): void {
    super.write(text);
    if (text !== `${FUZZED}\r`) return;
    const chunks = this.chunks;
    // All at once, in pieces: the reader must join partial lines, and no stale byte may reach
    // the next request (a real adapter's late bytes are the queue's drain logic, tested elsewhere).
    setImmediate(() => {
      for (const chunk of chunks) this.emit(chunk.toString('latin1'));
    });
  }
}

const adapterLines = fc.constantFrom(
  'NO DATA',
  'CAN ERROR',
  'BUFFER FULL',
  'STOPPED',
  '?',
  'BUS INIT: ...ERROR',
  'SEARCHING...',
  'UNABLE TO CONNECT',
  'ERR94',
  '<RX ERROR',
  '7E8 04 41 0C 1A F8',
  '7E8 10 14 49 02 01 31 44 34',
  '7E8 21 47 50 30 30 52 35 35',
  '7E8 04 41 0C 1A',
  '7E8',
  '7E8 04 41 0C 1A F8 <DATA ERROR',
  '7E9 04 41 0C 00 00',
  '0: 49 02 01 31',
  FUZZED,
  '',
);
const hexLine = fc
  .array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 })
  .map((bytes) => ['7E8', ...bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0'))].join(' '));
const randomText = fc.string({ maxLength: 40 });
const randomBytes = fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes).toString('latin1'));
const line = fc.oneof(adapterLines, hexLine, randomText, randomBytes);
const separator = fc.constantFrom('\r', '\n', '\r\n', '\r\r', ' ', '');

/** A whole reply: optional echo, lines, maybe a prompt (or several, or none), maybe NUL padding. */
const reply = fc
  .record({
    echo: fc.constantFrom('', `${FUZZED}\r`, `${FUZZED}`, 'garbage echo\r'),
    lines: fc.array(fc.tuple(line, separator), { maxLength: 8 }),
    ending: fc.constantFrom('\r\r>', '>', '', '\r', '>>', '\r\r>\r\r>', '\x00\r\r>'),
    flood: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
  })
  .map(({ echo, lines, ending, flood }) => {
    // Now and then a reply far past the driver's limit, so BUFFER_FULL is reached too.
    const body = lines.map(([text, sep]) => text + sep).join('') + (flood ? 'A'.repeat(70_000) : '');
    return Buffer.from(echo + body + ending, 'latin1');
  });
const chunking = fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 6 });

function split(bytes: Buffer, sizes: number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length];
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

function isMessage(message: Message): boolean {
  return (
    message.data instanceof Uint8Array &&
    Array.isArray(message.frames) &&
    message.frames.length > 0 &&
    typeof message.ecu === 'number' &&
    message.frames.every((frame) => typeof frame.raw === 'string' && frame.data instanceof Uint8Array)
  );
}

test('fuzz: every fuzzed reply ends in an ElmError or valid Messages, and the next request still works', async (t) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  const outcomes = new Map<string, number>();
  try {
    const transport = new FuzzAdapter();
    const elm = new Elm327(transport, OPTIONS);
    await elm.connect();
    assert.equal(elm.status, 'Car Connected');

    await fc.assert(
      fc.asyncProperty(reply, chunking, async (bytes, sizes) => {
        transport.chunks = split(bytes, sizes);
        let outcome: string;
        try {
          const messages = await elm.request(FUZZED);
          assert.ok(Array.isArray(messages));
          for (const message of messages) assert.ok(isMessage(message), `malformed message ${JSON.stringify(message)}`);
          outcome = messages.length === 0 ? 'no data' : 'messages';
        } catch (error) {
          assert.ok(error instanceof ElmError, `not a typed error: ${String(error)} (${(error as Error)?.stack})`);
          outcome = error.code;
        }
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        const [good] = await elm.request(GOOD);
        assert.deepEqual([...good.data], [0x41, 0x05, 0x7b], 'the next request gets its own answer');
      }),
      { numRuns: 400, seed: 20_240_101 },
    );
    await elm.close();
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.deepEqual(unhandled, []);
  t.diagnostic(`400 fuzz cases: ${[...outcomes].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  // The generator reaches the interesting paths (not only one kind of outcome).
  for (const expected of ['messages', 'no data', 'TIMEOUT', 'CAN_ERROR', 'BUFFER_FULL', 'UNKNOWN_COMMAND']) {
    assert.ok(outcomes.has(expected), `no case ended in ${expected}: ${JSON.stringify([...outcomes])}`);
  }
});
