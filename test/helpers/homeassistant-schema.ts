/**
 * What Home Assistant documents for an MQTT sensor's discovery config, written down
 * independently of src/sinks/homeassistant.ts so the tests check our payloads against the
 * documentation, not against themselves. Sources:
 *   - the MQTT Sensor integration page (home-assistant.io, source/_integrations/sensor.mqtt.markdown):
 *     every configuration variable, the device and availability keys;
 *   - the MQTT integration page: the `origin` block of discovery payloads (name, sw_version, support_url);
 *   - Home Assistant's sensor constants (homeassistant/components/sensor/const.py): state classes,
 *     and for each device class the units it accepts (DEVICE_CLASS_UNITS) and the state classes it
 *     allows (DEVICE_CLASS_STATE_CLASSES). Only the device classes a car can report are listed.
 */
import assert from 'node:assert/strict';

/** The configuration variables every MQTT entity with a state has (sensor and binary_sensor alike). */
const STATE_ENTITY_KEYS = [
  'availability',
  'availability_mode',
  'availability_template',
  'availability_topic',
  'default_entity_id',
  'device',
  'device_class',
  'enabled_by_default',
  'encoding',
  'entity_category',
  'entity_picture',
  'expire_after',
  'force_update',
  'icon',
  'json_attributes_template',
  'json_attributes_topic',
  'name',
  'object_id',
  'origin',
  'payload_available',
  'payload_not_available',
  'platform',
  'qos',
  'state_topic',
  'unique_id',
  'value_template',
];

export const SENSOR_KEYS = new Set([
  ...STATE_ENTITY_KEYS,
  'last_reset_value_template',
  'options',
  'suggested_display_precision',
  'state_class',
  'unit_of_measurement',
]);

export const DEVICE_KEYS = new Set([
  'configuration_url',
  'connections',
  'hw_version',
  'identifiers',
  'manufacturer',
  'model',
  'model_id',
  'name',
  'serial_number',
  'suggested_area',
  'sw_version',
  'via_device',
]);

export const AVAILABILITY_KEYS = new Set(['payload_available', 'payload_not_available', 'topic', 'value_template']);
export const ORIGIN_KEYS = new Set(['name', 'sw_version', 'support_url']);
export const STATE_CLASSES = new Set(['measurement', 'measurement_angle', 'total', 'total_increasing']);

const ALL_STATE_CLASSES = ['measurement', 'measurement_angle', 'total', 'total_increasing'];
/** Device class → accepted units and allowed state classes. */
export const DEVICE_CLASSES: Record<string, { units: string[]; stateClasses: string[] }> = {
  speed: {
    units: ['km/h', 'mph', 'm/s', 'ft/s', 'kn', 'mm/s', 'in/s', 'mm/d', 'mm/h', 'in/d', 'in/h', 'Beaufort'],
    stateClasses: ['measurement'],
  },
  temperature: { units: ['°C', '°F', 'K'], stateClasses: ['measurement'] },
  pressure: { units: ['Pa', 'hPa', 'kPa', 'bar', 'cbar', 'mbar', 'mmHg', 'inHg', 'psi'], stateClasses: ['measurement'] },
  voltage: { units: ['V', 'mV'], stateClasses: ['measurement'] },
  current: { units: ['A', 'mA'], stateClasses: ['measurement'] },
  distance: { units: ['km', 'm', 'cm', 'mm', 'mi', 'yd', 'ft', 'in'], stateClasses: ALL_STATE_CLASSES },
  duration: { units: ['d', 'h', 'min', 's', 'ms'], stateClasses: ALL_STATE_CLASSES },
  frequency: { units: ['Hz', 'kHz', 'MHz', 'GHz'], stateClasses: ['measurement'] },
  weight: { units: ['g', 'kg', 'mg', 'µg', 'oz', 'lb', 'st'], stateClasses: ['measurement', 'total', 'total_increasing'] },
  power: { units: ['mW', 'W', 'kW', 'MW', 'GW', 'TW', 'BTU/h'], stateClasses: ['measurement'] },
};

/** Home Assistant's id alphabet for node ids, object ids and unique ids we generate. */
const ID = /^[a-zA-Z0-9_-]+$/;

/** Asserts that a discovery config is a valid MQTT sensor config as documented. */
export function assertValidHaSensor(config: Record<string, unknown>): void {
  const json = JSON.stringify(config);
  for (const key of Object.keys(config)) assert.ok(SENSOR_KEYS.has(key), `undocumented sensor key '${key}' in ${json}`);
  assertCommonKeys(config);
  if ('state_class' in config) assert.ok(STATE_CLASSES.has(config.state_class as string), `state_class ${String(config.state_class)}`);
  if ('options' in config) assert.equal(config.device_class, 'enum', 'options needs device_class enum');

  if ('device_class' in config && config.device_class !== null) {
    const rules = DEVICE_CLASSES[config.device_class as string];
    assert.ok(rules, `device class ${String(config.device_class)} is not one a car reports (or not documented)`);
    assert.ok(
      rules.units.includes(config.unit_of_measurement as string),
      `${String(config.unit_of_measurement)} is not a unit of ${String(config.device_class)}`,
    );
    if ('state_class' in config)
      assert.ok(
        rules.stateClasses.includes(config.state_class as string),
        `${String(config.state_class)} is not allowed for ${String(config.device_class)}`,
      );
  }
}

/**
 * The MQTT Binary Sensor integration page (source/_integrations/binary_sensor.mqtt.markdown):
 * its configuration variables, and the binary sensor device classes
 * (homeassistant/components/binary_sensor/__init__.py, BinarySensorDeviceClass) an alert can be.
 */
export const BINARY_SENSOR_KEYS = new Set([...STATE_ENTITY_KEYS, 'off_delay', 'payload_off', 'payload_on']);
export const BINARY_SENSOR_DEVICE_CLASSES = new Set(['battery', 'connectivity', 'problem', 'safety', 'heat', 'cold', 'running']);

export function assertValidHaBinarySensor(config: Record<string, unknown>): void {
  const json = JSON.stringify(config);
  for (const key of Object.keys(config)) assert.ok(BINARY_SENSOR_KEYS.has(key), `undocumented binary_sensor key '${key}' in ${json}`);
  assertCommonKeys(config);
  if ('device_class' in config)
    assert.ok(BINARY_SENSOR_DEVICE_CLASSES.has(config.device_class as string), `binary_sensor device class ${String(config.device_class)}`);
}

/** What sensors and binary sensors share: topics, ids, the device, origin and availability. */
function assertCommonKeys(config: Record<string, unknown>): void {
  const json = JSON.stringify(config);
  assert.equal(typeof config.state_topic, 'string', `state_topic is required: ${json}`);
  assert.ok(!/[+#]/.test(config.state_topic as string), 'state_topic is a topic, not a filter');
  assert.equal(typeof config.name, 'string');
  assert.ok(typeof config.unique_id === 'string' && ID.test(config.unique_id), `unique_id: ${json}`);
  assert.ok(!('availability' in config && 'availability_topic' in config), 'availability and availability_topic are exclusive');

  const device = config.device as Record<string, unknown> | undefined;
  assert.ok(device && typeof device === 'object', 'a device block ties the sensor to the vehicle');
  for (const key of Object.keys(device)) assert.ok(DEVICE_KEYS.has(key), `undocumented device key '${key}'`);
  const identifiers = device.identifiers;
  assert.ok(
    (Array.isArray(identifiers) && identifiers.length > 0) || typeof identifiers === 'string' || Array.isArray(device.connections),
    'device needs identifiers or connections',
  );
  for (const key of ['name', 'manufacturer', 'model', 'sw_version', 'serial_number']) {
    if (key in device) assert.equal(typeof device[key], 'string', `device.${key}`);
  }

  if ('origin' in config) {
    const origin = config.origin as Record<string, unknown>;
    for (const key of Object.keys(origin)) assert.ok(ORIGIN_KEYS.has(key), `undocumented origin key '${key}'`);
    assert.equal(typeof origin.name, 'string', 'origin.name is required');
  }
  if ('availability' in config) {
    const list = config.availability as Array<Record<string, unknown>>;
    assert.ok(Array.isArray(list) && list.length > 0);
    for (const item of list) {
      for (const key of Object.keys(item)) assert.ok(AVAILABILITY_KEYS.has(key), `undocumented availability key '${key}'`);
      assert.equal(typeof item.topic, 'string', 'availability[].topic is required');
    }
  }
  if ('availability_mode' in config) assert.ok(['all', 'any', 'latest'].includes(config.availability_mode as string));
  if ('qos' in config) assert.ok([0, 1, 2].includes(config.qos as number));
}
