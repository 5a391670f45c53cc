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
  /** Absolute paths of OBDb signal-set files. */
  commands_from: string[];
  /** null: MQTT off (the section is absent). */
  mqtt: MqttSpec | null;
  /** null: recording off (the section is absent). */
  record: RecordSpec | null;
  units: 'metric' | 'imperial';
  /** null: dashboard off (`dashboard: false`). */
  dashboard: DashboardSpec | null;
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
  reconnect: ReconnectSpec;
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

export interface CustomCommandSpec {
  /** Upper-case hex, e.g. "220105". */
  request: string;
  /** Upper-case hex CAN id / header; null: the default header. */
  header: string | null;
  /** Expected response length; 0 = variable. */
  bytes: number;
  /** Torque-notation formula; null when `fields` (or nothing: raw bytes) is used. */
  equation: string | null;
  fields: Record<string, CommandFieldSpec> | null;
  unit: string | null;
  /** The YAML's desc, or the command name. */
  desc: string;
  /** python-OBD ECU bit mask (see ECU_MASKS). */
  ecu: number;
  override: boolean;
}

export interface CommandFieldSpec {
  equation: string;
  unit: string | null;
  desc: string | null;
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
  homeassistant: { discovery: boolean; prefix: string };
}

export interface RecordSpec {
  /** Absolute path of the recordings folder. */
  dir: string;
  /** Bytes; 0 = never rotate. */
  rotate: number;
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
