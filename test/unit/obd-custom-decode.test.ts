import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ECU } from '../../src/elm327/message.js';
import { createCustomCommand, derivedReceive, isCustomCommand, type CustomCommandDefinition } from '../../src/obd/custom/command.js';
import { parseEquation } from '../../src/obd/custom/equation.js';
import { decodeSignal, readBits, type SignalFormat } from '../../src/obd/custom/fields.js';
import { commandByName } from '../../src/obd/commands/index.js';
import { decodeMessages } from '../../src/obd/decode.js';
import { encodeCommand } from '../../src/obd/encode.js';
import { canMessage } from '../helpers/messages.js';

const format = (fields: Partial<SignalFormat> & Pick<SignalFormat, 'len'>): SignalFormat => ({
  bix: 0,
  signed: false,
  mul: 1,
  div: 1,
  add: 0,
  min: null,
  max: null,
  map: null,
  ...fields,
});

test('readBits: bit 0 is the most significant bit of byte A; fields may straddle bytes', () => {
  const data = [0x12, 0x34, 0x56];
  assert.equal(readBits(data, 0, 8, false), 0x12);
  assert.equal(readBits(data, 8, 16, false), 0x3456);
  assert.equal(readBits(data, 4, 8, false), 0x23);
  assert.equal(readBits(data, 4, 12, false), 0x234);
  assert.equal(readBits(data, 20, 4, false), 0x6);
  // 0x12 = 0001 0010: bit index 6 is the second-lowest bit (1), 7 the lowest (0).
  assert.equal(readBits(data, 6, 1, false), 1);
  assert.equal(readBits(data, 7, 1, false), 0);
  assert.equal(readBits(data, 16, 16, false), null, 'past the data');
  assert.equal(readBits([0xff, 0xff, 0xff, 0xff], 0, 32, false), 4294967295);
  assert.equal(readBits([0x01, 0, 0, 0, 0, 0], 0, 48, false), 2 ** 40);
});

test("readBits: two's complement for signed fields of any width", () => {
  assert.equal(readBits([0xff, 0x38], 0, 16, true), 0xff38 - 0x10000); // -200
  assert.equal(readBits([0x80], 0, 8, true), -128);
  assert.equal(readBits([0x7f], 0, 8, true), 127);
  assert.equal(readBits([0x80, 0x00], 0, 12, true), -2048);
  assert.equal(readBits([0xff, 0xff, 0xff, 0xff], 0, 32, true), -1);
  assert.equal(readBits([0x0f], 4, 4, true), -1);
});

test('decodeSignal: raw * mul / div + add, clamped to min/max; map gives words', () => {
  const soc = format({ len: 8, div: 2, max: 100 });
  assert.deepEqual(decodeSignal(soc, [200]), { ok: true, value: 100 });
  assert.deepEqual(decodeSignal(soc, [101]), { ok: true, value: 50.5 });
  assert.deepEqual(decodeSignal(soc, [220]), { ok: true, value: 100 }, 'clamped to max');
  assert.deepEqual(decodeSignal(format({ len: 8, add: -40, min: -40 }), [0x3c]), { ok: true, value: 20 });
  // Pack current: 16-bit signed, 0.1 A per bit. FB 2E = 64302 → -1234 → -123.4 A.
  assert.deepEqual(decodeSignal(format({ bix: 8, len: 16, signed: true, div: 10 }), [0x00, 0xfb, 0x2e]), { ok: true, value: -123.4 });
  assert.deepEqual(decodeSignal(format({ len: 16, mul: 100, div: 32767, signed: true }), [0x7f, 0xff]), { ok: true, value: 100 });
  const gear = format({
    len: 2,
    map: new Map([
      [0, 'P'],
      [1, 'R'],
      [2, 'N'],
      [3, 'D'],
    ]),
  });
  assert.deepEqual(decodeSignal(gear, [0xc0]), { ok: true, value: 'D' });
  assert.deepEqual(
    decodeSignal({ ...gear, map: new Map([[0, 'P']]) }, [0x80]),
    { ok: true, value: '2' },
    'unlisted: the raw number as text',
  );
  assert.equal(decodeSignal(format({ bix: 8, len: 16 }), [1, 2]).ok, false);
});

function definition(overrides: Partial<CustomCommandDefinition>): CustomCommandDefinition {
  const equation = parseEquation('(A*256+B)/10');
  assert.ok(equation.ok);
  return {
    name: 'PACK_VOLTAGE',
    desc: 'Pack voltage',
    request: '220101',
    header: '7E4',
    receive: '7EC',
    bytes: 0,
    decoding: { kind: 'equation', equation: equation.equation },
    unit: 'volt',
    ecu: ECU.ALL,
    ...overrides,
  };
}

const battery = (hex: string) => canMessage(hex, { txId: 0x7ec, ecu: ECU.UNKNOWN });

test('a custom command decodes like a built-in one: the expected ECU, the echo checked, the data after it', () => {
  const cmd = createCustomCommand(definition({}));
  assert.ok(isCustomCommand(cmd));
  assert.equal(isCustomCommand(commandByName('RPM')!), false);
  assert.equal(cmd.header, '7E4');
  // 0F A0 = 4000 → 400.0 V
  assert.deepEqual(decodeMessages(cmd, [battery('62 01 01 0F A0')]), { value: 400, unit: 'volt' });
  // The engine answered too (a functional request): the battery ECU's answer is the one.
  assert.deepEqual(decodeMessages(cmd, [canMessage('62 01 01 00 01'), battery('62 01 01 0E 10')]), { value: 360, unit: 'volt' });
  assert.equal(decodeMessages(cmd, [canMessage('62 01 01 0F A0')]), null, 'only 7EC counts');
  assert.equal(decodeMessages(cmd, [battery('7F 22 31')]), null, 'negative response');
  assert.equal(decodeMessages(cmd, [battery('62 01 02 0F A0')]), null, 'the answer to another DID');
  assert.equal(decodeMessages(cmd, [battery('62 01 01 0F')]), null, 'byte B missing');
  const fixed = createCustomCommand(definition({ bytes: 5 }));
  assert.deepEqual(decodeMessages(fixed, [battery('62 01 01 0F')]), { value: 384, unit: 'volt' }, 'padded with zeros to bytes');
  const anyEcu = createCustomCommand(definition({ receive: null }));
  assert.deepEqual(
    decodeMessages(anyEcu, [canMessage('62 01 01 00 0A'), battery('62 01 01 0F A0')]),
    { value: 1, unit: 'volt' },
    'the first message, as python-OBD',
  );
  const engineOnly = createCustomCommand(definition({ receive: null, ecu: ECU.ENGINE }));
  assert.equal(decodeMessages(engineOnly, [battery('62 01 01 0F A0')]), null, 'the ECU filter applies as for built-ins');
});

test('multi-frame replies: bytes past Z by name, signed cell temperatures', () => {
  // 62 01 05, then 40 data bytes: A=0, B=1, ..., AA (27th) = 26, AN (40th) = 39; byte AN set to -5 °C raw.
  const data = Array.from({ length: 40 }, (_, i) => i);
  data[39] = 0xfb;
  const hex = ['62', '01', '05', ...data.map((b) => b.toString(16).padStart(2, '0'))].join(' ');
  const parse = (source: string) => {
    const parsed = parseEquation(source);
    assert.ok(parsed.ok);
    return parsed.equation;
  };
  const max = createCustomCommand(definition({ request: '220105', decoding: { kind: 'equation', equation: parse('AA') }, unit: null }));
  assert.deepEqual(decodeMessages(max, [battery(hex)]), { value: 26, unit: 'dimensionless' });
  const min = createCustomCommand(
    definition({ request: '220105', decoding: { kind: 'equation', equation: parse('Signed(AN)') }, unit: 'degree_Celsius' }),
  );
  assert.deepEqual(decodeMessages(min, [battery(hex)]), { value: -5, unit: 'degree_Celsius' });
  const field = createCustomCommand(
    definition({
      request: '220105',
      decoding: { kind: 'signal', format: format({ bix: 39 * 8, len: 8, signed: true }) },
      unit: 'degree_Celsius',
    }),
  );
  assert.deepEqual(decodeMessages(field, [battery(hex)]), { value: -5, unit: 'degree_Celsius' });
});

test("values without a decoder are the data bytes; mapped ones are text; the wire encoding is a command's", () => {
  const raw = createCustomCommand(definition({ decoding: { kind: 'raw' } }));
  assert.deepEqual(decodeMessages(raw, [battery('62 01 01 0F A0')]), { value: [0x0f, 0xa0], unit: "<class 'bytearray'>" });
  const mapped = createCustomCommand(
    definition({
      decoding: {
        kind: 'signal',
        format: format({
          bix: 7,
          len: 1,
          map: new Map([
            [0, 'off'],
            [1, 'on'],
          ]),
        }),
      },
    }),
  );
  assert.deepEqual(decodeMessages(mapped, [battery('62 01 01 01')]), { value: 'on', unit: "<class 'str'>" });
  assert.deepEqual(encodeCommand(createCustomCommand(definition({}))), {
    name: 'PACK_VOLTAGE',
    desc: 'Pack voltage',
    fast: true,
    command: '220101',
    bytes: '0',
    ecu: 255,
  });
});

test('receive ids derived only where the convention is certain', () => {
  assert.equal(derivedReceive('7E4'), '7EC');
  assert.equal(derivedReceive('7E0'), '7E8');
  assert.equal(derivedReceive('7E7'), '7EF');
  assert.equal(derivedReceive('7DF'), null);
  assert.equal(derivedReceive('7B3'), null);
  assert.equal(derivedReceive('18DA10F1'), '18DAF110');
  assert.equal(derivedReceive('DA28F1'), '18DAF128');
  assert.equal(derivedReceive(null), null);
  const cmd29 = createCustomCommand(definition({ header: '18DA28F1', receive: '18DAF128' }));
  assert.deepEqual(decodeMessages(cmd29, [canMessage('62 01 01 00 64', { txId: 0x28, ecu: ECU.UNKNOWN })]), { value: 10, unit: 'volt' });
});
