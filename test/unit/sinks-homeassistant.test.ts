import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { OBDResponse } from '../../src/obd/command.js';
import { toDisplayUnits } from '../../src/obd/units.js';
import {
  alertDiscovery,
  alertDiscoveryTopic,
  commandDiscovery,
  dtcDiscovery,
  haId,
  type HaContext,
} from '../../src/sinks/homeassistant.js';
import { vehicleTopics } from '../../src/sinks/mqtt.js';
import { assertValidHaBinarySensor, assertValidHaSensor } from '../helpers/homeassistant-schema.js';
import { specOf, startRig, type Rig } from '../helpers/tapped-adapter.js';

const context: HaContext = {
  prefix: 'homeassistant',
  vehicle: 'My Car',
  topics: vehicleTopics({ base_topic: 'obdio', vehicle: 'My Car' }),
  version: '1.2.3',
  vin: '1SDVM3GTXHB000001',
  qos: 0,
};

let rig: Rig;
/** Every command the simulated car supports, answered once: real decoded values and units. */
const answers = new Map<string, OBDResponse>();

before(async () => {
  rig = await startRig(specOf(''));
  for (const cmd of rig.service.supportedCommands()) {
    const { response } = await rig.service.scheduler.query(cmd);
    if (response.value !== null) answers.set(cmd.name, response);
  }
});
after(async () => {
  await rig.stop();
});

function discovery(name: string, units: 'metric' | 'imperial' = 'metric'): Record<string, unknown> | null {
  const response = answers.get(name);
  assert.ok(response, `the simulator answers ${name}`);
  const shown = toDisplayUnits(response, units);
  return commandDiscovery(response.command, { value: shown.value, unit: shown.unit }, context)?.payload ?? null;
}

test('every command the car answers with a number or text gets a discovery config valid against the documented fields', () => {
  const ids = new Set<string>();
  let sensors = 0;
  for (const units of ['metric', 'imperial'] as const) {
    for (const [name, response] of answers) {
      const shown = toDisplayUnits(response, units);
      const message = commandDiscovery(response.command, { value: shown.value, unit: shown.unit }, context);
      if (typeof shown.value === 'number' || typeof shown.value === 'string')
        assert.ok(message, `${name} (${String(shown.unit)}) is announced`);
      if (!message) continue;
      assertValidHaSensor(message.payload);
      assert.match(message.topic, /^homeassistant\/sensor\/[a-zA-Z0-9_-]+\/[a-zA-Z0-9_-]+\/config$/);
      assert.equal(message.payload.state_topic, `obdio/My Car/${name}`);
      if (units === 'metric') {
        assert.ok(!ids.has(message.payload.unique_id as string), `unique id of ${name} is unique`);
        ids.add(message.payload.unique_id as string);
        sensors++;
      }
    }
  }
  assert.ok(sensors >= 40, `${sensors} sensors announced`);
});

test('names, units, device classes and state classes of the common gauges', () => {
  const pick = (name: string, units?: 'imperial') => {
    const p = discovery(name, units)!;
    return [p.name, p.unit_of_measurement, p.device_class, p.state_class];
  };
  assert.deepEqual(pick('RPM'), ['Engine RPM', 'rpm', undefined, 'measurement']);
  assert.deepEqual(pick('SPEED'), ['Vehicle Speed', 'km/h', 'speed', 'measurement']);
  assert.deepEqual(pick('SPEED', 'imperial'), ['Vehicle Speed', 'mph', 'speed', 'measurement']);
  assert.deepEqual(pick('COOLANT_TEMP'), ['Engine Coolant Temperature', '°C', 'temperature', 'measurement']);
  assert.deepEqual(pick('COOLANT_TEMP', 'imperial'), ['Engine Coolant Temperature', '°F', 'temperature', 'measurement']);
  assert.deepEqual(pick('INTAKE_PRESSURE').slice(1), ['kPa', 'pressure', 'measurement']);
  assert.deepEqual(pick('INTAKE_PRESSURE', 'imperial').slice(1), ['psi', 'pressure', 'measurement']);
  assert.deepEqual(pick('CONTROL_MODULE_VOLTAGE').slice(1), ['V', 'voltage', 'measurement']);
  assert.deepEqual(pick('RUN_TIME').slice(1), ['s', 'duration', 'measurement']);
  assert.deepEqual(pick('THROTTLE_POS').slice(1), ['%', undefined, 'measurement']);
  assert.deepEqual(pick('MAF').slice(1), ['g/s', undefined, 'measurement']);
  assert.deepEqual(pick('DISTANCE_W_MIL').slice(1), ['km', 'distance', 'measurement']);
});

test('one device, the vehicle: identifiers, name, VIN as serial number, and the origin', () => {
  const p = discovery('RPM')!;
  assert.deepEqual(p.device, {
    identifiers: ['obdio_my_car'],
    name: 'My Car',
    manufacturer: 'obdio-gateway',
    model: 'OBD-II vehicle',
    sw_version: '1.2.3',
    serial_number: '1SDVM3GTXHB000001',
  });
  assert.deepEqual(p.origin, { name: 'obdio-gateway', sw_version: '1.2.3' });
  assert.equal(p.unique_id, 'obdio_my_car_rpm');
  assert.deepEqual(p.availability, [{ topic: 'obdio/My Car/availability' }, { topic: 'obdio/My Car/adapter' }]);
  assert.equal(p.availability_mode, 'all');
  assert.equal(p.value_template, '{{ value_json.value }}');
});

test('values with no single state (bit arrays, records, DTC lists) are published but not announced; unknown units neither', () => {
  const rpm = answers.get('RPM')!;
  assert.equal(commandDiscovery(rpm.command, { value: [true, false], unit: "<class 'obd.utils.BitArray'>" }, context), null);
  assert.equal(commandDiscovery(rpm.command, { value: { MIL: true }, unit: "<class 'obd.OBDResponse.Status'>" }, context), null);
  assert.equal(commandDiscovery(rpm.command, { value: 3, unit: 'furlong_per_fortnight' }, context), null);
  const text = commandDiscovery({ name: 'FUEL_TYPE', desc: 'Fuel Type' }, { value: 'Gasoline', unit: "<class 'str'>" }, context)!;
  assertValidHaSensor(text.payload);
  assert.equal('unit_of_measurement' in text.payload || 'state_class' in text.payload, false, 'text sensors have no unit or state class');
});

test('the trouble-code sensor counts the codes and carries them as attributes', () => {
  const { topic, payload } = dtcDiscovery(context);
  assertValidHaSensor(payload);
  assert.equal(topic, 'homeassistant/sensor/obdio_my_car/dtc/config');
  assert.equal(payload.state_topic, 'obdio/My Car/dtc');
  assert.equal(payload.json_attributes_topic, 'obdio/My Car/dtc');
  assert.equal(payload.value_template, '{{ value_json.count }}');
});

test('an alert is a problem binary_sensor, on while raised, available with the gateway alone', () => {
  const { topic, payload } = alertDiscovery({ name: 'COOLANT_HOT', message: 'Coolant too hot' }, context);
  assertValidHaBinarySensor(payload);
  assert.equal(topic, 'homeassistant/binary_sensor/obdio_my_car/alert_coolant_hot/config');
  assert.equal(alertDiscoveryTopic('COOLANT_HOT', context), topic);
  assert.equal(payload.name, 'Coolant too hot');
  assert.equal(payload.device_class, 'problem');
  assert.equal(payload.state_topic, 'obdio/My Car/alert/COOLANT_HOT');
  // The default payload_on / payload_off are ON and OFF: what the template makes of the state.
  assert.equal(payload.value_template, "{{ 'ON' if value_json.active else 'OFF' }}");
  assert.deepEqual(payload.availability, [{ topic: 'obdio/My Car/availability' }]);
  assert.equal(payload.unique_id, 'obdio_my_car_alert_coolant_hot');
});

test('haId keeps what Home Assistant ids allow and folds the rest', () => {
  assert.equal(haId('My Car!'), 'my_car');
  assert.equal(haId('fleet-07'), 'fleet-07');
  assert.equal(haId('ÄÖÜ'), 'car');
});
