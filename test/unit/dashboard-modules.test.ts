/**
 * The dashboard's browser modules that need no DOM (units, ring buffer), run in Node. They are
 * plain JS served as-is, so they are imported by URL and given the types they promise here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { DASHBOARD_DIR } from '../../src/server/dashboard.js';

interface DisplayUnit {
  symbol: string;
  convert: (v: number) => number;
}
interface UnitsModule {
  displayUnit(unit: string | null, system: 'metric' | 'imperial'): DisplayUnit;
  formatNumber(value: number): string;
  formatValue(value: unknown, unit: string | null): string;
  bytesToText(bytes: number[]): string;
  gaugeRange(name: string, unit: string | null): [number, number] | null;
}
interface RingTableInstance {
  push(t: number, values: Map<string, number>): void;
  toSeries(names: string[], since: number, convert?: (name: string) => (v: number) => number): Array<Array<number | null>>;
}
interface RingModule {
  RingTable: new (capacity: number) => RingTableInstance;
}

const load = async <T>(file: string): Promise<T> => (await import(pathToFileURL(`${DASHBOARD_DIR}${file}`).href)) as T;
const units = await load<UnitsModule>('lib/units.js');
const { RingTable } = await load<RingModule>('lib/ring.js');

test("python-OBD's pint unit names become symbols; Python type reprs are not units", () => {
  const symbol = (unit: string | null) => units.displayUnit(unit, 'metric').symbol;
  assert.equal(symbol('revolutions_per_minute'), 'rpm');
  assert.equal(symbol('kilometer_per_hour'), 'km/h');
  assert.equal(symbol('degree_Celsius'), '°C');
  assert.equal(symbol('percent'), '%');
  assert.equal(symbol('gps'), 'g/s');
  assert.equal(symbol('lph'), 'L/h');
  assert.equal(symbol('newton_meter'), 'N·m');
  assert.equal(units.displayUnit('degree_Fahrenheit', 'imperial').symbol, '°F');
  assert.equal(symbol('count'), '');
  assert.equal(symbol("<class 'list'>"), '');
  assert.equal(symbol(null), '');
  assert.equal(symbol('some_new_unit'), 'some new unit');
});

test('imperial display: exact conversion factors, other units untouched', () => {
  const show = (unit: string, v: number, system: 'metric' | 'imperial' = 'imperial') => {
    const u = units.displayUnit(unit, system);
    return [u.symbol, Number(u.convert(v).toFixed(3))];
  };
  assert.deepEqual(show('kilometer_per_hour', 160.9344), ['mph', 100]); // 1 mi = 1.609344 km
  assert.deepEqual(show('kilometer', 1.609344), ['mi', 1]);
  assert.deepEqual(show('degree_Celsius', 100), ['°F', 212]);
  assert.deepEqual(show('degree_Celsius', -40), ['°F', -40]);
  assert.deepEqual(show('kilopascal', 101.325), ['psi', 14.696]); // one standard atmosphere
  assert.deepEqual(show('lph', 3.785411784), ['gal/h', 1]); // one US gallon
  assert.deepEqual(show('revolutions_per_minute', 2000), ['rpm', 2000]);
  assert.deepEqual(show('newton_meter', 100), ['N·m', 100], 'the gateway leaves torque metric, so does the page');
});

test('a gateway that already sends imperial (units: imperial) is shown as is, or back in metric', () => {
  const show = (unit: string, v: number, system: 'metric' | 'imperial') => {
    const u = units.displayUnit(unit, system);
    return [u.symbol, Number(u.convert(v).toFixed(3))];
  };
  assert.deepEqual(show('mile_per_hour', 62, 'imperial'), ['mph', 62]);
  assert.deepEqual(show('mile_per_hour', 100, 'metric'), ['km/h', 160.934]);
  assert.deepEqual(show('degree_Fahrenheit', 212, 'metric'), ['°C', 100]);
  assert.deepEqual(show('pound_force_per_square_inch', 14.6959, 'metric'), ['kPa', 101.325]);
  assert.deepEqual(show('gallon_per_hour', 1, 'metric'), ['L/h', 3.785]);
});

test('values as text: numbers by size, DTC pairs, byte arrays as text, booleans', () => {
  assert.equal(units.formatNumber(2431.25), '2431');
  assert.equal(units.formatNumber(87.45), '87.5');
  assert.equal(units.formatNumber(0.987), '0.99');
  assert.equal(units.formatNumber(12), '12');
  assert.equal(units.formatNumber(Number.NaN), '–');
  assert.equal(
    units.formatValue([['P0104', 'Mass or Volume Air Flow Circuit Intermittent']], "<class 'list'>"),
    'P0104 Mass or Volume Air Flow Circuit Intermittent',
  );
  assert.equal(units.formatValue([], "<class 'list'>"), 'none');
  assert.equal(units.formatValue([49, 83, 68], "<class 'bytearray'>"), '1SD');
  assert.equal(units.bytesToText([0, 0, 65, 66]), 'AB'); // CALIBRATION_ID pads with NULs
  assert.equal(units.bytesToText([0x01, 0xff]), '01 ff');
  assert.equal(units.formatValue(true, "<class 'bool'>"), 'yes');
  assert.equal(units.formatValue(null, null), 'no data');
  assert.equal(
    units.formatValue({ MIL: true, DTC_COUNT: 2, ignition_type: 'spark' }, "<class 'obd.OBDResponse.Status'>"),
    'MIL: yes · DTC_COUNT: 2 · ignition_type: spark',
  );
  assert.equal(
    units.formatValue(['Open loop due to insufficient engine temperature', ''], "<class 'tuple'>"),
    'Open loop due to insufficient engine temperature',
  );
  assert.equal(units.formatValue([[false, true], [true]], "<class 'tuple'>"), '[[false,true],[true]]');
});

test('gauge ranges: known commands, percentages (trims are signed), else none', () => {
  assert.deepEqual(units.gaugeRange('RPM', 'revolutions_per_minute'), [0, 8000]);
  assert.deepEqual(units.gaugeRange('THROTTLE_POS', 'percent'), [0, 100]);
  assert.deepEqual(units.gaugeRange('SHORT_FUEL_TRIM_1', 'percent'), [-100, 100]);
  assert.equal(units.gaugeRange('FUEL_RATE', 'lph'), null);
});

test('the ring table keeps the newest rows, in order, with gaps as null', () => {
  const ring = new RingTable(3);
  ring.push(1, new Map([['RPM', 800]]));
  ring.push(
    2,
    new Map([
      ['RPM', 900],
      ['SPEED', 10],
    ]),
  );
  assert.deepEqual(ring.toSeries(['RPM', 'SPEED'], 0), [
    [1, 2],
    [800, 900],
    [null, 10],
  ]);
  ring.push(3, new Map([['SPEED', 20]]));
  ring.push(
    4,
    new Map([
      ['RPM', 1100],
      ['SPEED', Number.NaN],
    ]),
  );
  // Capacity 3: row 1 is gone; a missing or non-finite value is a gap.
  assert.deepEqual(ring.toSeries(['RPM', 'SPEED'], 0), [
    [2, 3, 4],
    [900, null, 1100],
    [10, 20, null],
  ]);
  assert.deepEqual(
    ring.toSeries(['RPM'], 3),
    [
      [3, 4],
      [null, 1100],
    ],
    'rows before `since` are left out',
  );
  assert.deepEqual(
    ring.toSeries(['OIL_TEMP'], 0),
    [
      [2, 3, 4],
      [null, null, null],
    ],
    'an unknown column is all gaps',
  );
  const doubled = ring.toSeries(['RPM'], 0, () => (v) => v * 2);
  assert.deepEqual(doubled[1], [1800, null, 2200]);
});
