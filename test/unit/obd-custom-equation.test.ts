import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byteIndex, byteName, parseEquation, type EquationErrorCode } from '../../src/obd/custom/equation.js';

/** The value of `source` over `data` (bytes after the echo); fails the test on any error. */
function value(source: string, data: number[] = []): number {
  const parsed = parseEquation(source);
  if (!parsed.ok) assert.fail(`${source}: ${parsed.error.message} at ${parsed.error.column}`);
  const result = parsed.equation.evaluate(data);
  if (!result.ok) assert.fail(`${source}: ${result.error.message}`);
  return result.value;
}

function syntaxError(source: string, dataBytes?: number): { code: EquationErrorCode; column: number; message: string } {
  const parsed = parseEquation(source, { dataBytes });
  if (parsed.ok) assert.fail(`${JSON.stringify(source)} parsed, but should not`);
  return parsed.error;
}

test('byte names: A..Z, then AA..AZ, BA..., as Torque (and spreadsheets) name them', () => {
  const expected: Array<[number, string]> = [
    [0, 'A'],
    [1, 'B'],
    [25, 'Z'],
    [26, 'AA'],
    [27, 'AB'],
    [51, 'AZ'],
    [52, 'BA'],
    [701, 'ZZ'],
    [702, 'AAA'],
  ];
  for (const [index, name] of expected) {
    assert.equal(byteName(index), name);
    assert.equal(byteIndex(name), index);
  }
  assert.equal(byteIndex('a'), null);
  assert.equal(byteIndex('A1'), null);
  assert.equal(byteIndex('AAAA'), null);
});

test('arithmetic: precedence, left associativity, parentheses, unary minus and power', () => {
  const [A, B, C] = [1, 2, 3];
  assert.equal(value('A+B*C', [A, B, C]), 1 + 2 * 3);
  assert.equal(value('(A+B)*C', [A, B, C]), (1 + 2) * 3);
  assert.equal(value('A-B-C', [A, B, C]), 1 - 2 - 3);
  assert.equal(value('A-(B-C)', [A, B, C]), 1 - (2 - 3));
  assert.equal(value('A/B/C', [8, 2, 2]), 2); // (8/2)/2, not 8/(2/2)
  assert.equal(value('2^3^2'), 512); // right-associative: 2^(3^2)
  assert.equal(value('-A^2', [3]), -9); // -(A^2)
  assert.equal(value('2^-1'), 0.5);
  assert.equal(value('--A', [5]), 5);
  assert.equal(value('A*-B', [3, 4]), -12);
  assert.equal(value(' ( A * 256 + B ) / 10 - 40 ', [0x0f, 0xa0]), (15 * 256 + 160) / 10 - 40); // 360
  assert.equal(value('0.5*A + .25', [10]), 5.25);
});

test('bytes beyond Z: AA is the 27th data byte', () => {
  const data = Array.from({ length: 30 }, (_, i) => i + 100);
  assert.equal(value('AA', data), 126);
  assert.equal(value('AD-Z', data), 129 - 125);
});

test('signed bytes: SIGNED(A) (any case), SIGNED16, INT16(A:B), Signed(A)*256+B', () => {
  assert.equal(value('SIGNED(A)', [0xff]), -1);
  assert.equal(value('Signed(A)', [0x80]), -128);
  assert.equal(value('signed(A)', [0x7f]), 127);
  assert.equal(value('SIGNED8(A)', [0xc8]), 0xc8 - 256);
  assert.equal(value('SIGNED16(A*256+B)', [0xff, 0x38]), 0xff38 - 65536); // -200
  assert.equal(value('INT16(A:B)', [0x80, 0x00]), -32768);
  assert.equal(value('INT16(A,B)', [0x01, 0x02]), 258);
  assert.equal(value('(Signed(A)*256+B)/10', [0xff, 0x38]), (-1 * 256 + 0x38) / 10); // -20
});

test('bit access {A:b}: bit 0 is the least significant', () => {
  // Torque's own example: A = 00001010b.
  assert.deepEqual(
    [0, 1, 2, 3, 7].map((bit) => value(`{A:${bit}}`, [0x0a])),
    [0, 1, 0, 1, 0],
  );
  assert.equal(value('{B:7}', [0, 0x80]), 1);
  assert.equal(value('{A:7}*2+{A:0}', [0x81]), 3);
});

test('bitwise and, Torque shifts (< and > shift, they do not compare), functions', () => {
  assert.equal(value('A&4', [6]), 4);
  assert.equal(value('A&B', [0x0f, 0x3c]), 0x0c);
  assert.equal(value('(A<8)+B', [0x12, 0x34]), 0x1234);
  assert.equal(value('A>4', [0xf0]), 0x0f);
  assert.equal(value('A<<16', [1]), 65536);
  assert.equal(value('A+B&6', [2, 5]), (2 + 5) & 6); // & binds loosest
  assert.equal(value('ABS(A-B)', [3, 10]), 7);
  assert.equal(value('INT(A/3)', [10]), 3);
  assert.equal(value('SQRT(A)', [16]), 4);
  assert.equal(value('LOG10(A)', [100]), 2);
  assert.equal(value('LOG(A)', [1]), 0);
  assert.equal(value('COS(A)', [0]), 1);
});

test('a reply that gives no value is an error value, never a throw: division by zero, not a number, a missing byte', () => {
  const zero = parseEquation('A/B');
  assert.ok(zero.ok);
  assert.deepEqual(zero.equation.evaluate([10, 0]), { ok: false, error: { code: 'DIVISION_BY_ZERO', message: 'division by zero' } });
  assert.deepEqual(zero.equation.evaluate([10, 4]), { ok: true, value: 2.5 });
  const inner = parseEquation('A/(B-B)+1');
  assert.ok(inner.ok);
  assert.equal(inner.equation.evaluate([1, 7]).ok, false);
  for (const [source, data] of [
    ['LOG(A)', [0]],
    ['SQRT(A-10)', [0]],
    ['A^-1', [0]],
  ] as const) {
    const parsed = parseEquation(source);
    assert.ok(parsed.ok);
    const result = parsed.equation.evaluate(data);
    assert.equal(!result.ok && result.error.code, 'NOT_A_NUMBER', source);
  }
  const missing = parseEquation('C+1');
  assert.ok(missing.ok);
  const result = missing.equation.evaluate([1, 2]);
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.error.code, 'MISSING_BYTE');
  assert.equal(missing.equation.lastByte, 2);
});

test('every syntax error names its code and the column (1-based) in the equation', () => {
  const cases: Array<[source: string, code: EquationErrorCode, column: number, dataBytes?: number]> = [
    ['', 'EMPTY', 1],
    ['   ', 'EMPTY', 1],
    ['A + $', 'UNEXPECTED_CHARACTER', 5],
    ['A % 2', 'UNEXPECTED_CHARACTER', 3],
    ['A = 2', 'UNEXPECTED_CHARACTER', 3],
    ['A*1.2.3', 'BAD_NUMBER', 3],
    ['A*Speed', 'UNKNOWN_NAME', 3],
    ['B+a', 'LOWER_CASE_BYTE', 3],
    ['FOO(A)', 'UNKNOWN_FUNCTION', 1],
    ['1+TAVG(5:A)', 'UNSUPPORTED_FUNCTION', 3],
    ['LOOKUP(A)', 'UNSUPPORTED_FUNCTION', 1],
    ['VAL{Speed}*2', 'UNSUPPORTED_FUNCTION', 1],
    ['[0d]*2', 'UNSUPPORTED_REFERENCE', 1],
    ['INT16(A)', 'ARGUMENT_COUNT', 1],
    ['A+SIGNED(A:B)', 'ARGUMENT_COUNT', 3],
    ['A*', 'MISSING_OPERAND', 3],
    ['*A', 'MISSING_OPERAND', 1],
    ['()', 'MISSING_OPERAND', 2],
    ['(A+)', 'MISSING_OPERAND', 4],
    ['A+SIGNED', 'MISSING_OPERAND', 3],
    ['A B', 'MISSING_OPERATOR', 3],
    ['2A', 'MISSING_OPERATOR', 2],
    ['(A+B)C', 'MISSING_OPERATOR', 6],
    ['(A+B', 'UNCLOSED_PARENTHESIS', 1],
    ['ABS((A)', 'UNCLOSED_PARENTHESIS', 4],
    ['A+B)', 'UNEXPECTED_CLOSE', 4],
    [')A', 'UNEXPECTED_CLOSE', 1],
    ['{A:8}', 'BAD_BIT_ACCESS', 4],
    ['{A}', 'BAD_BIT_ACCESS', 3],
    ['{3:1}', 'BAD_BIT_ACCESS', 2],
    ['{A:1', 'BAD_BIT_ACCESS', 1],
    ['A+{A:x}', 'BAD_BIT_ACCESS', 6],
    ['A*C', 'BYTE_OUT_OF_RANGE', 3, 2],
    ['{C:1}', 'BYTE_OUT_OF_RANGE', 2, 2],
  ];
  for (const [source, code, column, dataBytes] of cases) {
    const error = syntaxError(source, dataBytes);
    assert.deepEqual([error.code, error.column], [code, column], `${JSON.stringify(source)}: ${error.message}`);
    assert.ok(error.message.length > 10, error.message);
  }
  // Messages a user can act on.
  assert.match(syntaxError('B+a').message, /upper case \(A\)/);
  assert.match(syntaxError('A*C', 2).message, /2 data bytes \(A\.\.B\)/);
  assert.match(syntaxError('TAVG(5:A)').message, /averages over time/);
});

test('an equation reading no byte is a constant, and the data is never modified', () => {
  assert.equal(value('1+2*3'), 7);
  const data = [1, 2, 3];
  value('A*B+C', data);
  assert.deepEqual(data, [1, 2, 3]);
});
