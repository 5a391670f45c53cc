/**
 * Home Assistant MQTT discovery: the retained config messages that make each published command
 * appear in Home Assistant as a sensor of one device (the vehicle), with a name, unit, device
 * class and state class, without any manual setup. Pure functions: the MQTT sink publishes
 * what they return.
 *
 * Units: python-OBD's pint names map to Home Assistant's unit symbols; a device class is set
 * only where Home Assistant's sensor integration accepts that unit for it (so a sensor is never
 * rejected), which leaves rpm, %, g/s, L/h and the like as plain measurements.
 */

/** Where the sink publishes, as Home Assistant needs to know it. */
export interface HaTopics {
  /** Retained online/offline of the gateway (its MQTT last will says offline). */
  availability: string;
  /** Retained online/offline of the car (the adapter reaches it or not). */
  adapter: string;
  /** Trouble codes: {"count", "codes", "time"}. */
  dtc: string;
  /** A command's values: {"value", "unit", "time"}. */
  state(command: string): string;
  /** An alert's state (retained): {"active", "since", "value", "message"}. */
  alert(name: string): string;
}

export interface HaContext {
  /** The discovery prefix (mqtt.homeassistant.prefix). */
  prefix: string;
  /** mqtt.vehicle: the device name. */
  vehicle: string;
  topics: HaTopics;
  /** Version of obdio-gateway (device sw_version and origin). */
  version: string;
  /** The car's VIN when known: the device's serial number. */
  vin?: string | null;
  qos: 0 | 1 | 2;
}

export interface DiscoveryMessage {
  topic: string;
  payload: Record<string, unknown>;
}

interface HaUnit {
  unit?: string;
  device_class?: string;
}

/**
 * pint unit name (as decoded, metric or imperial) → Home Assistant unit and device class.
 * Device classes only where Home Assistant lists the unit for the class.
 */
const UNITS: Readonly<Record<string, HaUnit>> = {
  revolutions_per_minute: { unit: 'rpm' },
  kilometer_per_hour: { unit: 'km/h', device_class: 'speed' },
  mile_per_hour: { unit: 'mph', device_class: 'speed' },
  degree_Celsius: { unit: '°C', device_class: 'temperature' },
  degree_Fahrenheit: { unit: '°F', device_class: 'temperature' },
  kilopascal: { unit: 'kPa', device_class: 'pressure' },
  pascal: { unit: 'Pa', device_class: 'pressure' },
  pound_force_per_square_inch: { unit: 'psi', device_class: 'pressure' },
  volt: { unit: 'V', device_class: 'voltage' },
  millivolt: { unit: 'mV', device_class: 'voltage' },
  ampere: { unit: 'A', device_class: 'current' },
  milliampere: { unit: 'mA', device_class: 'current' },
  microampere: { unit: 'µA' },
  kilometer: { unit: 'km', device_class: 'distance' },
  mile: { unit: 'mi', device_class: 'distance' },
  inch: { unit: 'in', device_class: 'distance' },
  second: { unit: 's', device_class: 'duration' },
  minute: { unit: 'min', device_class: 'duration' },
  millisecond: { unit: 'ms', device_class: 'duration' },
  microsecond: { unit: 'µs' },
  hertz: { unit: 'Hz', device_class: 'frequency' },
  kilohertz: { unit: 'kHz', device_class: 'frequency' },
  millihertz: { unit: 'mHz' },
  gram: { unit: 'g', device_class: 'weight' },
  milligram: { unit: 'mg', device_class: 'weight' },
  percent: { unit: '%' },
  degree: { unit: '°' },
  gps: { unit: 'g/s' },
  lph: { unit: 'L/h' },
  gallon_per_hour: { unit: 'gal/h' },
  liter: { unit: 'L' },
  gallon: { unit: 'gal' },
  newton_meter: { unit: 'N·m' },
  // Units of computed commands (examples/trip.yaml): power, and fuel economy (no device class in HA).
  watt: { unit: 'W', device_class: 'power' },
  kilowatt: { unit: 'kW', device_class: 'power' },
  liters_per_100_kilometer: { unit: 'L/100km' },
  miles_per_gallon: { unit: 'mpg' },
  ohm: { unit: 'Ω' },
  kiloohm: { unit: 'kΩ' },
  milliohm: { unit: 'mΩ' },
  ppm: { unit: 'ppm' },
  ratio: {},
  count: {},
};

/** Home Assistant's unit and device class for a pint unit; null when it is not a quantity we know. */
export function haUnit(pintUnit: string): HaUnit | null {
  return Object.hasOwn(UNITS, pintUnit) ? UNITS[pintUnit]! : null;
}

/** Home Assistant ids ([a-zA-Z0-9_-]) from any text: "My Car!" → "my_car". */
export function haId(text: string): string {
  const id = text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return id || 'car';
}

/** The device id every entity of the vehicle shares. */
export function deviceId(vehicle: string): string {
  return `obdio_${haId(vehicle)}`;
}

function device(ctx: HaContext): Record<string, unknown> {
  return {
    identifiers: [deviceId(ctx.vehicle)],
    name: ctx.vehicle,
    manufacturer: 'obdio-gateway',
    model: 'OBD-II vehicle',
    sw_version: ctx.version,
    ...(ctx.vin ? { serial_number: ctx.vin } : {}),
  };
}

function common(ctx: HaContext, object: string): Record<string, unknown> {
  return {
    unique_id: `${deviceId(ctx.vehicle)}_${object}`,
    availability: [{ topic: ctx.topics.availability }, { topic: ctx.topics.adapter }],
    availability_mode: 'all',
    device: device(ctx),
    origin: { name: 'obdio-gateway', sw_version: ctx.version },
    qos: ctx.qos,
  };
}

function topic(ctx: HaContext, object: string): string {
  return `${ctx.prefix}/sensor/${deviceId(ctx.vehicle)}/${object}/config`;
}

/**
 * The discovery message of one command, judged from a value it answered: numbers with a known
 * unit become measurements, text becomes a text sensor; lists and records (bit arrays, DTC
 * lists, monitors) have no single state, so they get none (they are still published).
 */
export function commandDiscovery(
  command: { name: string; desc: string },
  sample: { value: unknown; unit: string | null },
  ctx: HaContext,
): DiscoveryMessage | null {
  const object = haId(command.name);
  const base = {
    name: command.desc || command.name,
    state_topic: ctx.topics.state(command.name),
    value_template: '{{ value_json.value }}',
    ...common(ctx, object),
  };
  if (typeof sample.value === 'number' && sample.unit !== null) {
    const unit = haUnit(sample.unit);
    if (unit === null) return null;
    return {
      topic: topic(ctx, object),
      payload: {
        ...base,
        ...(unit.unit ? { unit_of_measurement: unit.unit } : {}),
        ...(unit.device_class ? { device_class: unit.device_class } : {}),
        state_class: 'measurement',
      },
    };
  }
  if (typeof sample.value === 'string' || typeof sample.value === 'boolean') {
    return { topic: topic(ctx, object), payload: base };
  }
  return null;
}

/** The trouble-code sensor: the number of stored codes, with the codes as attributes. */
export function dtcDiscovery(ctx: HaContext): DiscoveryMessage {
  return {
    topic: topic(ctx, 'dtc'),
    payload: {
      name: 'Trouble codes',
      state_topic: ctx.topics.dtc,
      value_template: '{{ value_json.count }}',
      json_attributes_topic: ctx.topics.dtc,
      json_attributes_template: "{{ {'codes': value_json.codes} | tojson }}",
      state_class: 'measurement',
      icon: 'mdi:car-wrench',
      ...common(ctx, 'dtc'),
    },
  };
}

/** The topic of a command's discovery message, to clear it (an empty retained message) when it is no longer published. */
export function commandDiscoveryTopic(commandName: string, ctx: Pick<HaContext, 'prefix' | 'vehicle'>): string {
  return `${ctx.prefix}/sensor/${deviceId(ctx.vehicle)}/${haId(commandName)}/config`;
}

/** The topic of an alert's binary_sensor discovery message. */
export function alertDiscoveryTopic(name: string, ctx: Pick<HaContext, 'prefix' | 'vehicle'>): string {
  return `${ctx.prefix}/binary_sensor/${deviceId(ctx.vehicle)}/alert_${haId(name)}/config`;
}

/**
 * An alert as a binary_sensor of class problem: on while raised. Available with the gateway
 * alone (not the car), so "adapter lost" can be on while the car is unreachable.
 */
export function alertDiscovery(alert: { name: string; message: string }, ctx: HaContext): DiscoveryMessage {
  const object = `alert_${haId(alert.name)}`;
  const { availability: _carToo, availability_mode: _mode, ...rest } = common(ctx, object);
  return {
    topic: alertDiscoveryTopic(alert.name, ctx),
    payload: {
      name: alert.message,
      state_topic: ctx.topics.alert(alert.name),
      value_template: "{{ 'ON' if value_json.active else 'OFF' }}",
      json_attributes_topic: ctx.topics.alert(alert.name),
      json_attributes_template: "{{ {'since': value_json.since, 'value': value_json.value} | tojson }}",
      device_class: 'problem',
      ...rest,
      availability: [{ topic: ctx.topics.availability }],
    },
  };
}
