/**
 * The normalized configuration the rest of the program works with: every default filled in,
 * every quantity in one unit (durations in milliseconds, rates in Hz, sizes in bytes), every
 * path absolute. Key names are those of obdio.yaml (schemas/obdio.schema.json is the source of
 * truth; test/unit/config-schema.test.ts checks that the two agree), so a YAML path like
 * `connection.timeout` is also the Spec path, only its unit differs.
 */

/** The default events of obd-socketio (its README's table, plus `stop`), in that order. */
export const DEFAULT_EVENT_NAMES = [
  'status',
  'is_connected',
  'protocol_name',
  'protocol_id',
  'port_name',
  'supports',
  'supported_commands',
  'query',
  'start',
  'stop',
  'watch',
  'unwatch',
  'unwatch_all',
  'has_name',
  'close',
] as const;
export type DefaultEventName = (typeof DEFAULT_EVENT_NAMES)[number];

/** ELM327 ATSP protocol ids that python-OBD supports, or 'auto' to let the adapter search. */
export type ProtocolId = 'auto' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | 'A';

/** python-OBD's ECU bit masks by the names obdio.yaml accepts for `commands.<NAME>.ecu`. */
export const ECU_MASKS = {
  all: 0b11111111,
  all_known: 0b11111110,
  unknown: 0b00000001,
  engine: 0b00000010,
  transmission: 0b00000100,
} as const;

export interface Spec {
  /** Absolute path of the config file; null when the text came from elsewhere (tests). */
  file: string | null;
  connection: ConnectionSpec;
  server: ServerSpec;
  events: EventsSpec;
  /** URL route (no trailing slash except "/") -> absolute path of a file or folder. */
  static: Record<string, string>;
  watch: WatchSpec;
  /** Custom commands by upper-case name. */
  commands: Record<string, CustomCommandSpec>;
  /** Computed commands by upper-case name (values derived from other commands'). */
  computed: Record<string, ComputedSpec>;
  /** Absolute paths of OBDb signal-set files. */
  commands_from: string[];
  /** The car; model_year selects the signal-set commands of its year (null: every command). */
  vehicle: { model_year: number | null };
  /** null: MQTT off (the section is absent). */
  mqtt: MqttSpec | null;
  /** null: recording off (the section is absent). */
  record: RecordSpec | null;
  /** null: alerts off (the section is absent). */
  alerts: AlertsSpec | null;
  /** Drive logs, the recent rows and the value gauges (always there: the recent rows work without the section). */
  log: LogSpec;
  units: 'metric' | 'imperial';
  /** null: dashboard off (`dashboard: false`). */
  dashboard: DashboardSpec | null;
}

/** One `computed:` entry (obd/computed.ts takes the same shape). */
export interface ComputedSpec {
  kind: 'expr' | 'integrate' | 'average';
  /** The expression text (of expr, integrate or average). */
  expression: string;
  /** integrate: the time unit of the expression's rate. */
  per: 'second' | 'minute' | 'hour';
  /** Commands whose readings also drive it. */
  sources: string[];
  /** pint unit name; null: dimensionless. */
  unit: string | null;
  desc: string;
}

export interface ConnectionSpec {
  /** "sim", "auto", a serial device, "tcp://host:port", or "replay:<absolute path>". */
  port: string;
  baudrate: number | 'auto';
  protocol: ProtocolId;
  fast: boolean;
  /** Milliseconds to wait for one adapter reply. */
  timeout: number;
  check_voltage: boolean;
  start_low_power: boolean;
  allow_clear_dtc: boolean;
  /** With port replay:<file>: 1 = recorded timing, 0 = as fast as asked, 10 = ten times faster. */
  replay_speed: number;
  /** ATH1 (true) or ATH0. */
  headers: boolean;
  adapter_timing: AdapterTimingSpec;
  /** Baud rate to switch the adapter to after connecting over serial; 'auto': the fastest that works. */
  upgrade_baudrate: 'off' | 'auto' | number;
  /** null: never pause polling for a low battery. */
  low_voltage: LowVoltageSpec | null;
  reconnect: ReconnectSpec;
  /** What the built-in simulator adds to its car (port: sim). */
  sim: SimSpec;
}

export interface SimSpec {
  /** petrol: a realistic V6; full: a test-bench ECU declaring every command the gateway knows. */
  car: 'petrol' | 'full';
  /**
   * Extra ECUs: header they listen on (upper-case hex; 7E4 answers from 7EC) -> request
   * (upper-case hex, e.g. "220101") -> the reply's data after the echo, in parts.
   */
  ecus: Record<string, Record<string, SimReplyPart[]>>;
}

/** Fixed bytes, or a raw number that changes with time, sent big-endian in `bytes` bytes (two's complement when min < 0). */
export type SimReplyPart = { kind: 'bytes'; bytes: number[] } | SimGeneratorSpec;

export interface SimGeneratorSpec {
  /** ramp: min to max over each period, then again; sine: between min and max, starting mid-way. */
  kind: 'ramp' | 'sine';
  min: number;
  max: number;
  /** Milliseconds. */
  period: number;
  bytes: number;
}

export interface LowVoltageSpec {
  /** Volts under which polling pauses. */
  pause_below: number;
  /** Volts over which it resumes; above pause_below. */
  resume_above: number;
}

export interface AdapterTimingSpec {
  /** ATAT: 0 off, 1 the adapter's default, 2 aggressive. */
  at: 0 | 1 | 2;
  /** ATST in milliseconds (4-1020); null: the adapter's default. */
  st: number | null;
}

export interface ReconnectSpec {
  /** Milliseconds before the first reconnect attempt. */
  min_delay: number;
  /** Longest wait between attempts, in milliseconds. */
  max_delay: number;
}

export interface ServerSpec {
  host: string;
  /** 0 = any free port. */
  port: number;
  /** '*' = any origin; [] = same origin only. */
  cors_allowed_origins: string[] | '*';
  /** Bytes. */
  max_http_buffer_size: number;
  auth: AuthSpec;
  /** null: plain HTTP. */
  tls: TlsSpec | null;
  /** Redis URL of a Socket.IO adapter; null: single process. */
  adapter: string | null;
}

export interface AuthSpec {
  /** null (the YAML had it empty): no authentication. */
  token: string | null;
}

export interface TlsSpec {
  /** Absolute path of the PEM certificate chain. */
  cert: string;
  /** Absolute path of the PEM private key. */
  key: string;
}

export interface EventsSpec {
  defaults: 'all' | 'none' | DefaultEventName[];
  disable: DefaultEventName[];
  /** Event name -> actions run in order. */
  custom: Record<string, ActionSpec[]>;
}

/**
 * One step of a custom event. Strings marked "template" are Handlebars sources, already
 * checked to compile; command names without "{{" are literal names.
 */
export type ActionSpec =
  | { kind: 'query'; commands: string[] }
  | { kind: 'watch'; commands: string[] }
  | { kind: 'unwatch'; commands: string[] }
  | EmitActionSpec
  | { kind: 'join'; room: string }
  | { kind: 'leave'; room: string }
  | { kind: 'set'; values: Record<string, string | number | boolean | null> }
  | IfActionSpec;

export type ActionKind = ActionSpec['kind'];
/** Every action kind, in the order the schema lists them. */
export const ACTION_KINDS: readonly ActionKind[] = ['query', 'watch', 'unwatch', 'emit', 'join', 'leave', 'set', 'if'];

export interface EmitActionSpec {
  kind: 'emit';
  /** Template. */
  event: string;
  /** "sender" | "all" | "room:<name>"; template. */
  to: string;
  /** Template; null: emit without a payload. */
  data: string | null;
}

export interface IfActionSpec {
  kind: 'if';
  /** Template; see isTruthyCondition. */
  condition: string;
  then: ActionSpec[];
  else: ActionSpec[];
}

/**
 * Whether a rendered `if` condition holds: anything but empty text, "false", "0", "null"
 * or "undefined" (surrounding spaces ignored), so `{{RPM.value}}` and `{{#if x}}yes{{/if}}` both work.
 */
export function isTruthyCondition(rendered: string): boolean {
  const text = rendered.trim();
  return !(text === '' || text === 'false' || text === '0' || text === 'null' || text === 'undefined');
}

export interface WatchSpec {
  /** Command name -> rate in Hz, or null for "every loop pass". */
  commands: Record<string, number | null>;
  /** Milliseconds between loop passes. */
  interval: number;
  /** Multi-PID requests on CAN: 'auto' detects support, 'off' never batches. */
  batch: 'auto' | 'off';
  /** Most requests per second to the adapter; null: no cap. */
  max_rate: number | null;
  callbacks: CallbackSpec[];
}

export interface CallbackSpec {
  /** null when unnamed; logs may use its index instead. */
  name: string | null;
  cache: boolean;
  filter: CallbackFilterSpec;
  /** The YAML's `on_change` shorthand is folded into filter.on_change. */
  emit: CallbackEmitSpec | null;
}

export interface CallbackFilterSpec {
  /** null: every watched command. */
  commands: string[] | null;
  /** null: no deadband. */
  deadband: number | null;
  on_change: boolean;
}

export interface CallbackEmitSpec {
  event: string;
  /** "all" | "room:<name>" (template). */
  to: string;
  /** Milliseconds (> 0) between emits; null: on every response. */
  every: number | null;
  /** Template; null: the response encoding (or the cache when `cache` is on). */
  data: string | null;
}

/**
 * A vehicle-specific command. Its decoder is `equation` (Torque notation) or, when `len` is set,
 * an OBDb-style bit field (bix, len, signed, mul, div, add, min, max, map); with neither the
 * value is the reply's data bytes.
 */
export interface CustomCommandSpec {
  /** Upper-case hex, e.g. "220105". */
  request: string;
  /** Upper-case hex CAN id / header; null: the default header. */
  header: string | null;
  /** Upper-case hex id (or address) the answers must come from; null: derived from the header where certain, else any. */
  receive: string | null;
  /** Expected response length, echo included; 0 = variable. */
  bytes: number;
  /** Torque-notation formula; null when the bit-field keys (or nothing: raw bytes) are used. */
  equation: string | null;
  /** First bit of the field, from the most significant bit of byte A. */
  bix: number;
  /** Field width in bits; null: no bit field. */
  len: number | null;
  signed: boolean;
  mul: number;
  div: number;
  add: number;
  /** Clamp of the scaled value; null: none. */
  min: number | null;
  max: number | null;
  /** Raw value (as written, a whole number) -> word; null: the value is a number. */
  map: Record<string, string> | null;
  unit: string | null;
  /** The YAML's desc, or the command name. */
  desc: string;
  /** python-OBD ECU bit mask (see ECU_MASKS). */
  ecu: number;
  override: boolean;
}

export interface MqttSpec {
  url: string;
  username: string | null;
  password: string | null;
  client_id: string | null;
  base_topic: string;
  vehicle: string;
  /** null: every watched command. */
  commands: string[] | null;
  /** Milliseconds between publishes of one command; 0 = every response. */
  every: number;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** Messages kept while the broker is away (oldest dropped past it). */
  buffer: number;
  /** Milliseconds between trouble-code reads published on .../dtc; 0 = never. */
  dtc_every: number;
  /** Default events accepted on <base_topic>/<vehicle>/request/<event>. */
  requests: DefaultEventName[];
  homeassistant: { discovery: boolean; prefix: string };
}

export interface RecordSpec {
  /** Absolute path of the recordings folder. */
  dir: string;
  /** Bytes; 0 = never rotate. */
  rotate: number;
  /** Most recording files kept; 0 = all. */
  keep: number;
  /** Also write decoded values. */
  decoded: boolean;
}

export interface AlertsSpec {
  webhook: WebhookSpec | null;
  /** ms between trouble-code reads for dtc alerts. */
  dtc_every: number;
  /** By alert name. */
  rules: Record<string, AlertRuleSpec>;
}

export interface WebhookSpec {
  url: string;
  /** ms per attempt. */
  timeout: number;
  retries: number;
  headers: Record<string, string>;
}

/** Exactly one of when, dtc, adapter and battery is set (normalize checks it). */
export interface AlertRuleSpec {
  when: string | null;
  clear: string | null;
  /** 'any' or the codes watched for. */
  dtc: 'any' | string[] | null;
  adapter: 'lost' | null;
  /** Volts; clear_above is filled in (below + 0.4 when absent). */
  battery: { below: number; clear_above: number } | null;
  /** ms the condition must hold before the alert is raised. */
  for: number;
  /** The alert's name when absent from the file. */
  message: string;
}

export interface LogSpec {
  /** Absolute path of the drive CSV folder; null: no files. */
  csv: string | null;
  /** The columns; null: the keys of watch.commands. */
  commands: string[] | null;
  /** Milliseconds per row. */
  every: number;
  /** Milliseconds of silence from the car that end a drive. */
  grace: number;
  /** Most drive files kept; 0 = all. */
  keep: number;
  /** Bytes after which a drive continues in a new part; 0 = never. */
  rotate: number;
  /** Milliseconds of rows kept in memory for /log/recent.csv; 0 = none. */
  recent: number;
  /** obdio_value gauges on /metrics. */
  prometheus: boolean;
}

export interface DashboardSpec {
  route: string;
}

/** The default events that are on for this configuration (custom events of the same name aside). */
export function enabledDefaultEvents(events: EventsSpec): DefaultEventName[] {
  const base: readonly DefaultEventName[] =
    events.defaults === 'all' ? DEFAULT_EVENT_NAMES : events.defaults === 'none' ? [] : events.defaults;
  return base.filter((name) => !events.disable.includes(name));
}
