import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_EQUATION_DEPTH,
  MAX_EQUATION_LENGTH,
  parseEquation,
  type EquationDialect,
  type EquationErrorCode,
} from '../../src/obd/custom/equation.js';

function value(dialect: EquationDialect, source: string, data: number[] = []): number {
  const parsed = parseEquation(source, { dialect });
  if (!parsed.ok) assert.fail(`${source}: ${parsed.error.message} at ${parsed.error.column}`);
  const result = parsed.equation.evaluate(data);
  if (!result.ok) assert.fail(`${source}: ${result.error.message}`);
  return result.value;
}

function syntaxError(dialect: EquationDialect, source: string): { code: EquationErrorCode; column: number; message: string } {
  const parsed = parseEquation(source, { dialect });
  if (parsed.ok) assert.fail(`${JSON.stringify(source)} parsed as ${dialect}, but should not`);
  return parsed.error;
}

/** 60 data bytes: byte i is i + 1, so A = 1, Z = 26, AA = 27, BA = 53. */
const ramp = Array.from({ length: 60 }, (_, i) => i + 1);

test("Torque files: byte names in any case (aa/50), SIGNED and Signed, {A:7}, Torque's < and > shifts", () => {
  assert.equal(value('torque', 'aa/50', ramp), 27 / 50);
  assert.equal(value('torque', 'Z+z', ramp), 52);
  assert.equal(value('torque', 'SIGNED(W)', [...ramp.slice(0, 22), 0xfe]), -2);
  assert.equal(value('torque', 'Signed(W)', [...ramp.slice(0, 22), 0x7f]), 127);
  assert.equal(value('torque', '{A:7}', [0x80]), 1);
  assert.equal(value('torque', '{a:6}', [0x80]), 0);
  // (i<24)+(j<16)+(k<8)+l: Torque's < shifts left.
  assert.equal(value('torque', '(i<24)+(j<16)+(k<8)+l', [0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x02, 0x03, 0x04]), 0x01020304);
  assert.equal(value('torque', 'A>4', [0xf0]), 0x0f);
});

test("Torque files: the functions its users' files carry: Bit, Int16/24/32 (signed), Min, Max", () => {
  assert.equal(value('torque', 'Bit(h:5)', [0, 0, 0, 0, 0, 0, 0, 0x20]), 1);
  assert.equal(value('torque', 'Bit(h:4)', [0, 0, 0, 0, 0, 0, 0, 0x20]), 0);
  assert.equal(value('torque', '(Bit(A:0) -1) * -1', [0]), 1);
  assert.equal(value('torque', 'Int16(f:g)/100', [0, 0, 0, 0, 0, 0x01, 0x2c]), 3);
  assert.equal(value('torque', 'Int16(A:B)', [0xff, 0x38]), -200);
  assert.equal(value('torque', 'Int24(A:B:C)', [0xff, 0xff, 0xfe]), -2);
  assert.equal(value('torque', 'Int32(A:B:C:D)/10', [0x00, 0x01, 0x00, 0x00]), 6553.6);
  assert.equal(value('torque', 'Int32(A:B:C:D)', [0xff, 0xff, 0xff, 0xff]), -1);
  assert.equal(value('torque', 'MAX(0:64*(0.8-(A/200)))', [200]), 0);
  assert.equal(value('torque', 'MAX(0:64*(0.8-(A/200)))', [0]), 51.2);
  assert.equal(value('torque', 'MIN(A:B)', [9, 4]), 4);
});

test('Torque files refuse what depends on more than one reply, and broken equations, with the column', () => {
  assert.equal(syntaxError('torque', 'val{000_Battery Current}*2').code, 'UNSUPPORTED_FUNCTION');
  assert.equal(syntaxError('torque', 'AVG(5:A)').code, 'UNSUPPORTED_FUNCTION');
  assert.deepEqual((({ code, column }) => ({ code, column }))(syntaxError('torque', '(signed(m)-80)/2)')), {
    code: 'UNEXPECTED_CLOSE',
    column: 17,
  });
  // obdio.yaml's own equations stay strict about upper-case bytes.
  assert.equal(parseEquation('aa/50').ok, false);
  assert.equal(parseEquation('Bit(A:1)').ok, false);
});

test('ABRP files: lower-case bytes, << >>, && || !, comparisons give 1 or 0, C precedence', () => {
  const bytes = Array.from({ length: 47 }, () => 0);
  bytes[39] = 0x01; // an
  bytes[40] = 0x02; // ao
  bytes[41] = 0x03; // ap
  bytes[42] = 0x04; // aq
  assert.equal(value('abrp', '((an<<24)+(ao<<16)+(ap<<8)+aq)/10', bytes), 0x01020304 / 10);
  assert.equal(value('abrp', 'A>>4', [0xf0]), 0x0f);
  assert.equal(value('abrp', 'A==8', [8]), 1);
  assert.equal(value('abrp', 'A==8', [9]), 0);
  assert.equal(value('abrp', '(A==1)||(A==2)||(A==3)', [2]), 1);
  assert.equal(value('abrp', '(A==6)&&((B==11)||(B==12))', [6, 12]), 1);
  assert.equal(value('abrp', '(A==6)&&((B==11)||(B==12))', [6, 13]), 0);
  assert.equal(
    value(
      'abrp',
      '(ER==0)&&(FJ<252)',
      Array.from({ length: 166 }, (_, i) => (i === 161 ? 251 : 0)),
    ),
    1,
  );
  assert.equal(value('abrp', 'A<=3', [3]) + value('abrp', 'A>=4', [3]) + value('abrp', 'A<3', [3]) + value('abrp', 'A>2', [3]), 2);
  assert.equal(
    value(
      'abrp',
      '(!{ay:2}&&{ay:3})',
      Array.from({ length: 51 }, (_, i) => (i === 50 ? 0b1000 : 0)),
    ),
    1,
  );
  // C precedence: + binds tighter than <<, << tighter than <, < tighter than ==, == tighter than &&.
  assert.equal(value('abrp', '1<<2+1', []), 8);
  assert.equal(value('abrp', '1<2==1', []), 1);
  assert.equal(value('abrp', '0&&1||1', []), 1);
  assert.equal(value('abrp', '((A*256)+B)*0.032*-1', [1, 0]), -8.192);
});

test('ABRP files: {A:n} counts from the least significant bit; Signed, Int16 and Int24 as its README defines them', () => {
  assert.equal(value('abrp', '{j:1}', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0b10]), 1);
  assert.equal(value('abrp', '{j:7}&&{j:1}', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0b10]), 0);
  assert.equal(value('abrp', '((Signed(K)*256)+L)/10', [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0x9c]), -10);
  assert.equal(value('abrp', 'Int16(A,B)', [0xff, 0x38]), 65336);
  assert.equal(value('abrp', 'INT16(A:B)*0.1', [0x01, 0x00]), 25.6);
  assert.equal(value('abrp', 'Int24(A,B,C)', [1, 2, 3]), 0x010203);
});

test("ABRP files refuse Torque's operators and functions with a hint", () => {
  const and = syntaxError('abrp', 'A&4');
  assert.equal(and.code, 'UNEXPECTED_CHARACTER');
  assert.equal(and.column, 2);
  assert.match(and.message, /&&/);
  assert.equal(syntaxError('abrp', 'A=8').code, 'UNEXPECTED_CHARACTER');
  assert.equal(syntaxError('abrp', 'ABS(A)').code, 'UNKNOWN_FUNCTION');
  assert.equal(syntaxError('abrp', 'A^2').code, 'UNEXPECTED_CHARACTER');
});

test('limits: an equation too long or nested too deep is an error with its column, never a stack overflow', () => {
  for (const dialect of ['obdio', 'torque', 'abrp'] as const) {
    const deep = syntaxError(dialect, `${'('.repeat(5000)}A${')'.repeat(5000)}`);
    assert.equal(deep.code, 'TOO_LONG');
    assert.equal(deep.column, MAX_EQUATION_LENGTH + 1);
    const nested = syntaxError(dialect, `${'('.repeat(MAX_EQUATION_DEPTH + 1)}A${')'.repeat(MAX_EQUATION_DEPTH + 1)}`);
    assert.equal(nested.code, 'TOO_DEEP');
    assert.equal(nested.column, MAX_EQUATION_DEPTH + 1, 'at the first parenthesis past the limit');
    assert.equal(syntaxError(dialect, `${'-'.repeat(MAX_EQUATION_DEPTH + 1)}A`).code, 'TOO_DEEP');
    assert.equal(
      syntaxError(dialect, `${'Signed('.repeat(MAX_EQUATION_DEPTH + 1)}A${')'.repeat(MAX_EQUATION_DEPTH + 1)}`).code,
      'TOO_DEEP',
    );
    // At the limit it parses and evaluates.
    assert.equal(value(dialect, `${'('.repeat(MAX_EQUATION_DEPTH)}A${')'.repeat(MAX_EQUATION_DEPTH)}`, [7]), 7);
  }
  // The longest accepted equation (a chain of 1000 additions) evaluates without exhausting the stack.
  const terms = Math.floor((MAX_EQUATION_LENGTH + 1) / 2);
  const chain = `A${'+A'.repeat(terms - 1)}`;
  assert.ok(chain.length >= MAX_EQUATION_LENGTH - 1 && chain.length <= MAX_EQUATION_LENGTH);
  assert.equal(value('obdio', chain, [1]), terms);
});
