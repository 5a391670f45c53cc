import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { convertForDisplay } from '../../src/obd/units.js';

const close = (actual: unknown, expected: number) => {
  assert.equal(typeof actual, 'number');
  assert.ok(Math.abs((actual as number) - expected) < 1e-9, `${String(actual)} ≉ ${expected}`);
};

describe('convertForDisplay', () => {
  it('metric is the identity', () => {
    const value = { a: 1 };
    assert.deepEqual(convertForDisplay(100, 'kilometer_per_hour', 'metric'), { value: 100, unit: 'kilometer_per_hour' });
    assert.equal(convertForDisplay(value, 'gps', 'metric').value, value);
  });

  it('converts speed, temperature, distance, pressure, volume and flow to imperial units', () => {
    const cases: Array<[number, string, number, string]> = [
      [100, 'kilometer_per_hour', 100 / 1.609344, 'mile_per_hour'],
      [100, 'degree_Celsius', 212, 'degree_Fahrenheit'],
      [-40, 'degree_Celsius', -40, 'degree_Fahrenheit'],
      [1.609344, 'kilometer', 1, 'mile'],
      [6.894757293168361, 'kilopascal', 1, 'pound_force_per_square_inch'],
      [6894.757293168361, 'pascal', 1, 'pound_force_per_square_inch'],
      [3.785411784, 'liter', 1, 'gallon'],
      [37.85411784, 'lph', 10, 'gallon_per_hour'],
    ];
    for (const [value, unit, expected, expectedUnit] of cases) {
      const shown = convertForDisplay(value, unit, 'imperial');
      close(shown.value, expected);
      assert.equal(shown.unit, expectedUnit);
    }
  });

  it('leaves other units, type names and null values alone', () => {
    assert.deepEqual(convertForDisplay(1726, 'revolutions_per_minute', 'imperial'), { value: 1726, unit: 'revolutions_per_minute' });
    assert.deepEqual(convertForDisplay(30, 'gps', 'imperial'), { value: 30, unit: 'gps' });
    assert.deepEqual(convertForDisplay('Gasoline', "<class 'str'>", 'imperial'), { value: 'Gasoline', unit: "<class 'str'>" });
    assert.deepEqual(convertForDisplay(null, null, 'imperial'), { value: null, unit: null });
  });

  it('converts every sensor of a multi-sensor record, keeping nulls', () => {
    const shown = convertForDisplay({ sensor_1: 0, sensor_2: null }, 'degree_Celsius', 'imperial');
    assert.deepEqual(shown, { value: { sensor_1: 32, sensor_2: null }, unit: 'degree_Fahrenheit' });
  });

  it('converts monitor tests by their own units', () => {
    const tests = [
      { tid: 1, name: 'A', desc: 'a', value: 100, min: 0, max: -40, unit: 'degree_Celsius' },
      { tid: 2, name: 'B', desc: 'b', value: 72, min: 0, max: 100, unit: 'millisecond' },
    ];
    const shown = convertForDisplay(tests, "<class 'obd.OBDResponse.Monitor'>", 'imperial');
    assert.equal(shown.unit, "<class 'obd.OBDResponse.Monitor'>");
    assert.deepEqual(shown.value, [{ tid: 1, name: 'A', desc: 'a', value: 212, min: 32, max: -40, unit: 'degree_Fahrenheit' }, tests[1]]);
    assert.equal(tests[0]!.unit, 'degree_Celsius'); // the input is not changed
  });
});
