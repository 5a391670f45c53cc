/**
 * Validated YAML data -> Spec. Fills defaults from the schema's `default` keywords (so the
 * schema stays the one place they are written), converts units, resolves paths, and runs the
 * checks JSON Schema cannot express, each reported at the YAML position of the value.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { isMap, isNode, isScalar, isSeq } from 'yaml';
import { parseDuration, parseRate, parseSize } from './durations.js';
import { formatPath, type ConfigError, type Locator, type PathSegment } from './errors.js';
import { handlebars } from './handlebars.js';
import { configSchema, resolveRef, type SchemaNode } from './schema.js';
import {
  ECU_MASKS,
  type ActionSpec,
  type AdapterTimingSpec,
  type CallbackSpec,
  type ComputedSpec,
  type ConnectionSpec,
  type CustomCommandSpec,
  type DashboardSpec,
  type DefaultEventName,
  type LogSpec,
  type LowVoltageSpec,
  type EventsSpec,
  type MqttSpec,
  type ProtocolId,
  type RecordSpec,
  type ServerSpec,
  type SimReplyPart,
  type SimSpec,
  type Spec,
  type WatchSpec,
  type AlertsSpec,
  type AlertRuleSpec,
} from './spec.js';

/** A literal command name written in the config, for validateSpec's unknown-name check. */
export interface CommandRef {
  name: string;
  path: PathSegment[];
  /** The name is a mapping key (watch.commands map form) rather than a value. */
  isKey: boolean;
}

export interface NormalizeResult {
  spec: Spec;
  errors: ConfigError[];
  warnings: ConfigError[];
  commandRefs: CommandRef[];
}

/** Names Socket.IO uses itself: a custom event with one of them would never fire or would break the socket. */
const RESERVED_EVENT_NAMES = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
/** Upper case, digits and '_', with a letter; a digit may lead (OBDb's 4RUNNER_GEAR). */
const COMMAND_NAME = /^(?=[0-9_]*[A-Z])[A-Z0-9][A-Z0-9_]*$/;

type Raw = Record<string, unknown>;

/** An alert's name: one MQTT topic level, one Home Assistant id. */
const ALERT_NAME = /^[A-Za-z0-9_-]+$/;
/** What can raise an alert; a rule has exactly one. */
const ALERT_KINDS = ['when', 'dtc', 'adapter', 'battery'] as const;

/** Reads one key of a raw YAML mapping, or the schema's default for it when absent. */
class Section {
  constructor(
    readonly raw: Raw,
    readonly schema: SchemaNode,
    readonly path: PathSegment[],
  ) {}

  get(key: string): unknown {
    const value = this.raw[key];
    if (value !== undefined) return value;
    const property = this.schema.properties?.[key];
    return property ? resolveRef(property).default : undefined;
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined;
  }

  at(key: string): PathSegment[] {
    return [...this.path, key];
  }

  /** A sub-mapping with fixed properties (absent: its defaults). */
  child(key: string): Section {
    const value = this.get(key);
    const schema = resolveRef(this.schema.properties?.[key] ?? {});
    return new Section(isRecord(value) ? value : {}, schema, this.at(key));
  }
}

function isRecord(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function definition(name: string): SchemaNode {
  const definitions = configSchema().definitions as Record<string, SchemaNode>;
  return definitions[name];
}

/** Handlebars' parser messages name grammar tokens; these are the ones a user can act on. */
const TOKEN_TEXT: Record<string, string> = {
  CLOSE_UNESCAPED: "'}}}'",
  CLOSE: "'}}'",
  EOF: 'the end of the template',
  INVALID: 'an invalid character',
  OPEN: "'{{'",
  OPEN_ENDBLOCK: "'{{/'",
};

function templateError(error: unknown, source: string): string {
  const text = error instanceof Error ? error.message : String(error);
  const parse = /^Parse error on line (\d+):[\s\S]*got '(\w+)'/.exec(text);
  let message: string;
  if (parse) {
    const [, line, token] = parse;
    message =
      token === 'EOF' && text.includes('OPEN_ENDBLOCK')
        ? `template error on line ${line} of the template: a block ({{#...}}) is not closed`
        : `template syntax error on line ${line} of the template: unexpected ${TOKEN_TEXT[token] ?? token}`;
  } else {
    message = `template error: ${text.split('\n')[0]}`;
  }
  if (source.trimEnd().endsWith('}}}')) {
    message += " (a template ending in '}}}' is read as a triple-stash close: put a space before the final '}')";
  }
  return message;
}

class Normalizer {
  readonly errors: ConfigError[] = [];
  readonly warnings: ConfigError[] = [];
  readonly commandRefs: CommandRef[] = [];

  constructor(
    readonly locator: Locator,
    readonly baseDir: string,
  ) {}

  error(path: PathSegment[], message: string, target: 'value' | 'key' = 'value'): void {
    this.errors.push(this.locator.error(path, message, 'semantic', target));
  }

  warn(path: PathSegment[], message: string, target: 'value' | 'key' = 'value'): void {
    this.warnings.push(this.locator.error(path, message, 'semantic', target));
  }

  /** Compiles a template once so syntax errors surface at load time, at the string's position. */
  template(source: string, path: PathSegment[]): string {
    if (source.includes('{{')) {
      try {
        handlebars().precompile(source, { noEscape: true });
      } catch (error) {
        this.errors.push(this.locator.error(path, `${where(path)}${templateError(error, source)}`, 'template'));
      }
    }
    return source;
  }

  /** A literal command name (checked for form, and remembered for validateSpec) or a template. */
  commandName(name: string, path: PathSegment[], isKey = false): string {
    if (name.includes('{{')) return this.template(name, path);
    const problem = commandNameProblem(name, 'RPM or COOLANT_TEMP');
    if (problem) this.error(path, `${where(path)}${problem}`, isKey ? 'key' : 'value');
    else this.commandRefs.push({ name, path, isKey });
    return name;
  }

  commandNames(value: unknown, path: PathSegment[]): string[] {
    if (typeof value === 'string') return [this.commandName(value, path)];
    return (value as string[]).map((name, i) => this.commandName(name, [...path, i]));
  }

  duration(value: unknown): number {
    return parseDuration(value) ?? 0;
  }

  absolute(file: string): string {
    return resolve(this.baseDir, file);
  }

  spec(raw: Raw, file: string | null): Spec {
    const root = new Section(raw, configSchema(), []);
    const staticRoutes = this.static(root);
    return {
      file,
      connection: this.connection(root.child('connection')),
      server: this.server(root.child('server')),
      events: this.events(root.child('events')),
      static: staticRoutes,
      watch: this.watch(root.child('watch')),
      commands: this.commands(root.get('commands') as Raw),
      computed: this.computed(root.get('computed') as Raw),
      commands_from: this.list(root.get('commands_from')).map((f) => this.absolute(f)),
      vehicle: { model_year: (root.child('vehicle').get('model_year') as number | null | undefined) ?? null },
      mqtt: root.has('mqtt') ? this.mqtt(root.child('mqtt')) : null,
      record: root.has('record') ? this.record(root.child('record')) : null,
      alerts: root.has('alerts') ? this.alerts(root.child('alerts')) : null,
      log: this.log(root.child('log')),
      units: root.get('units') as Spec['units'],
      dashboard: this.dashboard(root, staticRoutes),
    };
  }

  list(value: unknown): string[] {
    return typeof value === 'string' ? [value] : [...(value as string[])];
  }

  connection(s: Section): ConnectionSpec {
    const port = s.get('port') as string;
    const reconnect = s.child('reconnect');
    const minDelay = this.duration(reconnect.get('min_delay'));
    const maxDelay = this.duration(reconnect.get('max_delay'));
    if (minDelay > maxDelay) {
      this.error(
        reconnect.at(reconnect.has('max_delay') ? 'max_delay' : 'min_delay'),
        'connection.reconnect: max_delay must not be shorter than min_delay',
      );
    }
    const baudrate = s.get('baudrate');
    const low_voltage = s.get('low_voltage') === false ? null : this.lowVoltage(s.child('low_voltage'));
    return {
      // A recording is a file: like every other path, it is relative to the config file.
      port: port.startsWith('replay:') ? `replay:${this.absolute(port.slice('replay:'.length))}` : port,
      baudrate: baudrate === 'auto' ? 'auto' : (baudrate as number),
      protocol: String(s.get('protocol')) as ProtocolId,
      fast: s.get('fast') as boolean,
      timeout: this.duration(s.get('timeout')),
      check_voltage: s.get('check_voltage') as boolean,
      start_low_power: s.get('start_low_power') as boolean,
      allow_clear_dtc: s.get('allow_clear_dtc') as boolean,
      replay_speed: s.get('replay_speed') as number,
      headers: s.get('headers') as boolean,
      adapter_timing: this.adapterTiming(s.child('adapter_timing')),
      upgrade_baudrate: upgradeBaudrate(s.get('upgrade_baudrate')),
      low_voltage,
      reconnect: { min_delay: minDelay, max_delay: maxDelay },
      sim: this.sim(s.child('sim')),
    };
  }

  /** `true` or a mapping: thresholds with hysteresis, so a voltage hovering at one threshold does not flap. */
  lowVoltage(s: Section): LowVoltageSpec {
    const pauseBelow = s.get('pause_below') as number;
    const resumeAbove = s.get('resume_above') as number;
    if (resumeAbove <= pauseBelow) {
      this.error(
        s.at(s.has('resume_above') ? 'resume_above' : 'pause_below'),
        'connection.low_voltage: resume_above must be higher than pause_below',
      );
    }
    return { pause_below: pauseBelow, resume_above: resumeAbove };
  }

  /** ATST takes 4 ms steps from 4 to 1020 ms: anything else is an error at the value. */
  adapterTiming(s: Section): AdapterTimingSpec {
    const raw = s.get('st');
    let st: number | null = null;
    if (raw !== null && raw !== undefined) {
      st = this.duration(raw);
      if (st < 4 || st > 1020) {
        this.error(s.at('st'), `connection.adapter_timing.st: the adapter waits 4ms to 1020ms (in 4 ms steps), got ${st} ms`);
      }
    }
    return { at: s.get('at') as 0 | 1 | 2, st };
  }

  server(s: Section): ServerSpec {
    const cors = s.get('cors_allowed_origins') as string | string[];
    const origins = typeof cors === 'string' ? [cors] : [...new Set(cors)];
    const token = s.child('auth').get('token') as string | null;
    const tls = s.get('tls');
    return {
      host: s.get('host') as string,
      port: s.get('port') as number,
      cors_allowed_origins: origins.includes('*') ? '*' : origins,
      max_http_buffer_size: parseSize(s.get('max_http_buffer_size')) ?? 0,
      auth: { token: token === '' ? null : token },
      tls: isRecord(tls) ? { cert: this.absolute(tls.cert as string), key: this.absolute(tls.key as string) } : null,
      adapter: (s.get('adapter') as string | null) || null,
    };
  }

  events(s: Section): EventsSpec {
    const defaults = s.get('defaults') as 'all' | 'none' | DefaultEventName[];
    const custom: Record<string, ActionSpec[]> = {};
    for (const [event, actions] of Object.entries(s.get('custom') as Record<string, Raw[]>)) {
      const path = [...s.at('custom'), event];
      if (RESERVED_EVENT_NAMES.has(event))
        this.error(path, `events.custom: '${event}' is reserved by Socket.IO; pick another event name`, 'key');
      custom[event] = this.actions(actions, path);
    }
    return {
      defaults: typeof defaults === 'string' ? defaults : [...new Set(defaults)],
      disable: [...new Set(s.get('disable') as DefaultEventName[])],
      custom,
    };
  }

  actions(raw: Raw[], path: PathSegment[]): ActionSpec[] {
    return raw.map((action, i) => this.action(action, [...path, i]));
  }

  action(raw: Raw, path: PathSegment[]): ActionSpec {
    const at = (...keys: PathSegment[]): PathSegment[] => [...path, ...keys];
    if (raw.query !== undefined) return { kind: 'query', commands: this.commandNames(raw.query, at('query')) };
    if (raw.watch !== undefined) return { kind: 'watch', commands: this.commandNames(raw.watch, at('watch')) };
    if (raw.unwatch !== undefined) return { kind: 'unwatch', commands: this.commandNames(raw.unwatch, at('unwatch')) };
    if (raw.join !== undefined) return { kind: 'join', room: this.template(raw.join as string, at('join')) };
    if (raw.leave !== undefined) return { kind: 'leave', room: this.template(raw.leave as string, at('leave')) };
    if (raw.set !== undefined) {
      const values: Record<string, string | number | boolean | null> = {};
      for (const [name, value] of Object.entries(raw.set as Raw)) {
        values[name] = typeof value === 'string' ? this.template(value, at('set', name)) : (value as number | boolean | null);
      }
      return { kind: 'set', values };
    }
    if (raw.if !== undefined) {
      return {
        kind: 'if',
        condition: this.template(raw.if as string, at('if')),
        then: this.actions(raw.then as Raw[], at('then')),
        else: this.actions((raw.else as Raw[] | undefined) ?? [], at('else')),
      };
    }
    const emit = new Section(raw.emit as Raw, definition('actionEmit'), at('emit'));
    const data = emit.get('data') as string | undefined;
    return {
      kind: 'emit',
      event: this.template(emit.get('event') as string, emit.at('event')),
      to: this.template(emit.get('to') as string, emit.at('to')),
      data: data === undefined ? null : this.template(data, emit.at('data')),
    };
  }

  static(root: Section): Record<string, string> {
    const routes: Record<string, string> = {};
    for (const [route, target] of Object.entries(root.get('static') as Record<string, string>)) {
      const path = root.at('static').concat(route);
      if (!route.startsWith('/')) {
        this.error(path, `static: route '${route}' must start with '/' (e.g. '/${route}')`, 'key');
        continue;
      }
      const file = this.absolute(target);
      if (!existsSync(file)) this.warn(path, `${where(path)}${file} does not exist (yet); the route answers 404 until it does`);
      routes[trimRoute(route)] = file;
    }
    return routes;
  }

  watch(s: Section): WatchSpec {
    const commands: Record<string, number | null> = {};
    const raw = s.get('commands');
    const path = s.at('commands');
    if (Array.isArray(raw)) {
      raw.forEach((name: string, i) => {
        if (name in commands) this.warn([...path, i], `${where([...path, i])}${name} is listed twice`);
        commands[this.commandName(name, [...path, i])] = null;
      });
    } else {
      for (const [name, rate] of Object.entries(raw as Raw)) {
        commands[this.commandName(name, [...path, name], true)] = rate === null ? null : parseRate(rate);
      }
    }
    const callbacks = (s.get('callbacks') as Raw[]).map((cb, i) =>
      this.callback(new Section(cb, definition('callback'), [...s.at('callbacks'), i])),
    );
    const maxRate = s.get('max_rate');
    return {
      commands,
      interval: this.duration(s.get('interval')),
      batch: s.get('batch') as 'auto' | 'off',
      max_rate: maxRate === null || maxRate === undefined ? null : parseRate(maxRate),
      callbacks,
    };
  }

  callback(s: Section): CallbackSpec {
    const filter = s.child('filter');
    const filterCommands = filter.get('commands') as string[] | undefined;
    const rawEmit = s.get('emit');
    let emit: CallbackSpec['emit'] = null;
    if (isRecord(rawEmit)) {
      const e = new Section(rawEmit, resolveRef(definition('callback').properties?.emit ?? {}), s.at('emit'));
      const to = e.get('to') as string;
      if (to === 'sender') this.error(e.at('to'), `${where(e.at('to'))}a watch callback has no sender: use all or room:<name>`);
      let every: number | null = null;
      if (e.has('every')) {
        every = this.duration(e.get('every'));
        if (every === 0) this.error(e.at('every'), `${where(e.at('every'))}must be more than 0 (leave it out to emit every response)`);
      }
      const data = e.get('data') as string | undefined;
      emit = {
        event: this.template(e.get('event') as string, e.at('event')),
        to: this.template(to, e.at('to')),
        every,
        data: data === undefined ? null : this.template(data, e.at('data')),
      };
    }
    const cache = s.get('cache') as boolean;
    if (!emit && !cache) this.warn(s.path, `${where(s.path)}this callback does nothing: add emit or cache: true`);
    return {
      name: (s.get('name') as string | undefined) ?? null,
      cache,
      filter: {
        commands: filterCommands ? filterCommands.map((name, i) => this.commandName(name, [...filter.at('commands'), i])) : null,
        deadband: (filter.get('deadband') as number | undefined) ?? null,
        on_change: (filter.get('on_change') as boolean) || (s.get('on_change') as boolean),
      },
      emit,
    };
  }

  commands(raw: Raw): Record<string, CustomCommandSpec> {
    const commands: Record<string, CustomCommandSpec> = {};
    for (const [name, value] of Object.entries(raw)) {
      const s = new Section(value as Raw, definition('customCommand'), ['commands', name]);
      const problem = commandNameProblem(name, 'BATTERY_SOC');
      if (problem) this.error(s.path, `commands: ${problem}`, 'key');
      if (s.has('equation') && s.has('len')) {
        this.error(s.at('len'), `commands.${name}: use either equation or the bit field (len, bix, ...), not both`, 'key');
      }
      const header = s.get('header') as string | undefined;
      const receive = s.get('receive') as string | undefined;
      const ecu = s.get('ecu') as string | number;
      const request = (s.get('request') as string).toUpperCase();
      const bytes = s.get('bytes') as number;
      const optionalNumber = (key: string): number | null => (s.get(key) as number | undefined) ?? null;
      commands[name] = {
        request,
        header: header === undefined ? null : header.toUpperCase(),
        receive: receive === undefined ? null : receive.toUpperCase(),
        bytes,
        equation: (s.get('equation') as string | undefined) ?? null,
        bix: s.get('bix') as number,
        len: optionalNumber('len'),
        signed: s.get('signed') as boolean,
        mul: s.get('mul') as number,
        div: s.get('div') as number,
        add: s.get('add') as number,
        min: optionalNumber('min'),
        max: optionalNumber('max'),
        map: (s.get('map') as Record<string, string> | undefined) ?? null,
        unit: (s.get('unit') as string | undefined) ?? null,
        desc: (s.get('desc') as string | undefined) ?? name,
        ecu: typeof ecu === 'number' ? ecu : ECU_MASKS[ecu as keyof typeof ECU_MASKS],
        override: s.get('override') as boolean,
      };
    }
    return commands;
  }

  computed(raw: Raw): Record<string, ComputedSpec> {
    const computed: Record<string, ComputedSpec> = {};
    for (const [name, value] of Object.entries(raw)) {
      const s = new Section(value as Raw, definition('computedCommand'), ['computed', name]);
      const problem = commandNameProblem(name, 'TRIP_DISTANCE');
      if (problem) this.error(s.path, `computed: ${problem}`, 'key');
      const kind = (['expr', 'integrate', 'average'] as const).find((key) => s.has(key))!;
      computed[name] = {
        kind,
        expression: s.get(kind) as string,
        per: s.get('per') as ComputedSpec['per'],
        sources: (s.get('sources') as string[]).map((source, i) => this.commandName(source, [...s.at('sources'), i])),
        unit: (s.get('unit') as string | undefined) ?? null,
        desc: (s.get('desc') as string | undefined) ?? name,
      };
    }
    return computed;
  }

  /**
   * connection.sim, read from the YAML nodes rather than the plain data: a header such as 7E4
   * or a reply such as 64 would otherwise arrive as a number (7E4 is 70000 to YAML).
   */
  sim(s: Section): SimSpec {
    const car = s.get('car') as SimSpec['car'];
    const ecus: SimSpec['ecus'] = {};
    const path = s.at('ecus');
    const node = this.locator.doc.getIn(path, true);
    if (!isMap(node)) return { car, ecus };
    for (const pair of node.items) {
      const header = scalarText(pair.key).replace(/\s+/g, '').toUpperCase();
      const headerPath = [...path, header];
      if (!/^([0-9A-F]{3}|[0-9A-F]{6}|[0-9A-F]{8})$/.test(header)) {
        this.errorAt(
          pair.key,
          headerPath,
          `${where(path)}'${header}' is not a header: use 3, 6 or 8 hex digits like 7E4 (quote it: "7E4")`,
        );
        continue;
      }
      const requests: Record<string, SimReplyPart[]> = {};
      if (isMap(pair.value)) {
        for (const entry of pair.value.items) {
          const request = scalarText(entry.key).replace(/\s+/g, '').toUpperCase();
          const requestPath = [...headerPath, request];
          if (!/^([0-9A-F]{2}){1,7}$/.test(request)) {
            this.errorAt(
              entry.key,
              requestPath,
              `${where(headerPath)}'${request}' is not a request: use hex bytes like "220101" (quoted, so YAML keeps it as text)`,
            );
            continue;
          }
          const parts = this.simReply(entry.value, requestPath);
          if (parts) requests[request] = parts;
        }
      }
      ecus[header] = { ...ecus[header], ...requests };
    }
    return { car, ecus };
  }

  simReply(node: unknown, path: PathSegment[]): SimReplyPart[] | null {
    const items = isSeq(node) ? node.items : [node];
    const parts: SimReplyPart[] = [];
    for (const [i, item] of items.entries()) {
      const itemPath = isSeq(node) ? [...path, i] : path;
      if (isMap(item)) {
        const [pair] = item.items;
        const kind = scalarText(pair?.key) as 'ramp' | 'sine';
        const wave = (isNode(pair?.value) ? pair.value.toJSON() : {}) as Raw;
        const period = parseDuration(wave.period) ?? 0;
        const min = wave.min as number;
        const max = wave.max as number;
        const bytes = (wave.bytes as number | undefined) ?? 1;
        const limit = 2 ** (8 * bytes);
        if (max <= min) this.errorAt(item, itemPath, `${where(itemPath)}max must be above min`);
        else if (period <= 0) this.errorAt(item, itemPath, `${where(itemPath)}period must be more than 0`);
        else if (min < 0 ? min < -limit / 2 || max >= limit / 2 : max >= limit) {
          this.errorAt(
            item,
            itemPath,
            `${where(itemPath)}${min} to ${max} does not fit in ${bytes} byte${bytes === 1 ? '' : 's'} (set bytes:)`,
          );
        } else parts.push({ kind, min, max, period, bytes });
        continue;
      }
      const text = scalarText(item).replace(/\s+/g, '');
      if (!/^([0-9A-Fa-f]{2})+$/.test(text)) {
        this.errorAt(item, itemPath, `${where(itemPath)}'${scalarText(item)}' is not hex bytes like "C8 0F A0"`);
        continue;
      }
      parts.push({ kind: 'bytes', bytes: (text.match(/../g) ?? []).map((pair) => parseInt(pair, 16)) });
    }
    return parts.length === items.length ? parts : null;
  }

  /** An error at a YAML node found by walking the document (its key may not be its path as written). */
  errorAt(node: unknown, path: PathSegment[], message: string): void {
    this.errors.push(
      isNode(node) && node.range
        ? this.locator.errorAtNode(node, path, message, 'semantic')
        : this.locator.error(path, message, 'semantic'),
    );
  }

  mqtt(s: Section): MqttSpec {
    const commands = s.get('commands') as string[] | null;
    const ha = s.child('homeassistant');
    return {
      url: s.get('url') as string,
      // Empty (an unset ${ENV:-}) means none, as for server.auth.token.
      username: (s.get('username') as string | null) || null,
      password: (s.get('password') as string | null) || null,
      client_id: (s.get('client_id') as string | null) || null,
      base_topic: s.get('base_topic') as string,
      vehicle: s.get('vehicle') as string,
      commands: commands ? commands.map((name, i) => this.commandName(name, [...s.at('commands'), i])) : null,
      every: this.duration(s.get('every')),
      qos: s.get('qos') as 0 | 1 | 2,
      retain: s.get('retain') as boolean,
      buffer: s.get('buffer') as number,
      dtc_every: this.duration(s.get('dtc_every')),
      requests: [...new Set(s.get('requests') as DefaultEventName[])],
      homeassistant: { discovery: ha.get('discovery') as boolean, prefix: ha.get('prefix') as string },
    };
  }

  record(s: Section): RecordSpec {
    return {
      dir: this.absolute(s.get('dir') as string),
      rotate: parseSize(s.get('rotate')) ?? 0,
      keep: s.get('keep') as number,
      decoded: s.get('decoded') as boolean,
    };
  }

  alerts(s: Section): AlertsSpec {
    const webhook = s.get('webhook') === null ? null : s.child('webhook');
    const rules: Record<string, AlertRuleSpec> = {};
    for (const [name, raw] of Object.entries((s.get('rules') as Raw | null) ?? {})) {
      const path = [...s.at('rules'), name];
      // Names become MQTT topic levels and Home Assistant ids.
      if (!ALERT_NAME.test(name))
        this.error(path, `alerts.rules: '${name}' is not an alert name: use letters, digits, '_' and '-' (like COOLANT_HOT)`, 'key');
      rules[name] = this.alertRule(new Section(isRecord(raw) ? raw : {}, definition('alertRule'), path), name);
    }
    return {
      webhook: webhook && {
        url: webhook.get('url') as string,
        timeout: this.duration(webhook.get('timeout')),
        retries: webhook.get('retries') as number,
        headers: { ...(webhook.get('headers') as Record<string, string>) },
      },
      dtc_every: this.duration(s.get('dtc_every')),
      rules,
    };
  }

  alertRule(s: Section, name: string): AlertRuleSpec {
    const kinds = ALERT_KINDS.filter((key) => s.get(key) !== null);
    if (kinds.length !== 1) {
      this.error(
        s.path,
        `alerts.rules.${name}: an alert needs exactly one of ${ALERT_KINDS.join(', ')}${kinds.length ? ` (it has ${kinds.join(' and ')})` : ''}`,
        'key',
      );
    }
    if (s.get('clear') !== null && s.get('when') === null) this.error(s.at('clear'), `alerts.rules.${name}: clear goes with when`, 'key');
    const dtc = s.get('dtc') as string | string[] | null;
    const battery = s.get('battery') as { below: number; clear_above?: number | null } | null;
    if (battery && battery.clear_above != null && battery.clear_above < battery.below) {
      this.error(
        [...s.at('battery'), 'clear_above'],
        `alerts.rules.${name}.battery: clear_above (${battery.clear_above}) is below below (${battery.below})`,
      );
    }
    return {
      when: s.get('when') as string | null,
      clear: s.get('clear') as string | null,
      dtc: dtc === null || dtc === 'any' ? dtc : typeof dtc === 'string' ? [dtc] : [...dtc],
      adapter: s.get('adapter') as 'lost' | null,
      // 0.4 V: above a resting battery's drift, well under what the alternator adds.
      battery: battery && { below: battery.below, clear_above: battery.clear_above ?? Math.round((battery.below + 0.4) * 1000) / 1000 },
      for: this.duration(s.get('for')),
      message: (s.get('message') as string | null) ?? name,
    };
  }

  log(s: Section): LogSpec {
    const csv = s.get('csv') as string | null;
    const commands = s.get('commands') as string[] | null;
    const every = this.duration(s.get('every'));
    if (every <= 0) this.error(s.at('every'), 'log.every: rows need a period longer than 0, like 1s');
    return {
      csv: csv ? this.absolute(csv) : null,
      commands: commands?.length ? commands.map((name, i) => this.commandName(name, [...s.at('commands'), i])) : null,
      every,
      grace: this.duration(s.get('grace')),
      keep: s.get('keep') as number,
      rotate: parseSize(s.get('rotate')) ?? 0,
      recent: this.duration(s.get('recent')),
      prometheus: s.get('prometheus') as boolean,
    };
  }

  dashboard(root: Section, staticRoutes: Record<string, string>): DashboardSpec | null {
    const raw = root.get('dashboard');
    if (raw === false) return null;
    const s = root.child('dashboard');
    const route = trimRoute(s.get('route') as string);
    if (route in staticRoutes) {
      this.warn(
        root.has('dashboard') ? s.path : ['static', route],
        `the dashboard and a static route both serve '${route}': move one (dashboard: { route: /dashboard }) or turn the dashboard off (dashboard: false)`,
      );
    }
    return { route };
  }
}

/** connection.upgrade_baudrate: off / false, auto / true, or a rate. */
function upgradeBaudrate(value: unknown): 'off' | 'auto' | number {
  if (value === true || value === 'auto') return 'auto';
  if (typeof value === 'number') return value;
  return 'off';
}

/** "/assets/" and "/assets" are one route. */
function trimRoute(route: string): string {
  return route.length > 1 ? route.replace(/\/+$/, '') || '/' : route;
}

/** A scalar as written: a key like 7E4 or a reply like 64 would otherwise be read as a number. */
function scalarText(node: unknown): string {
  if (!isScalar(node)) return '';
  if (typeof node.value === 'string') return node.value;
  return node.source ?? String(node.value);
}

/** "watch.commands[2]: " — messages start with where the problem is. */
function where(path: PathSegment[]): string {
  const text = formatPath(path);
  return text ? `${text}: ` : '';
}

/** Why `name` cannot be a command name (python-OBD's names are upper case), or null when it can. */
function commandNameProblem(name: string, example: string): string | null {
  if (COMMAND_NAME.test(name)) return null;
  const upper = name
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '_');
  const hint = COMMAND_NAME.test(upper) ? ` (did you mean '${upper}'?)` : '';
  return `'${name}' is not a command name: names are upper case, like ${example}${hint}`;
}

/** Turns validated data into a Spec; `baseDir` anchors relative paths (the config file's folder). */
export function normalize(raw: Raw, file: string | null, baseDir: string, locator: Locator): NormalizeResult {
  const normalizer = new Normalizer(locator, baseDir);
  const spec = normalizer.spec(raw, file);
  return { spec, errors: normalizer.errors, warnings: normalizer.warnings, commandRefs: normalizer.commandRefs };
}
