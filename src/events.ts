/**
 * The Socket.IO events of the gateway, typed for clients:
 *
 * ```ts
 * import { io, type Socket } from 'socket.io-client';
 * import type { ClientToServerEvents, ServerToClientEvents } from 'obdio-gateway';
 * const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io('http://127.0.0.1:48484');
 * const rpm = await socket.emitWithAck('query', 'RPM');   // WireResponse | null | { error }
 * ```
 *
 * Events named by the user's obdio.yaml (watch callbacks, custom events) are not known here: add
 * them with an intersection, `ServerToClientEvents & { live: (cache: Record<string, WireResponse>) => void }`.
 *
 * Kept in step with src/api/default-events.ts, src/server/stream-events.ts, gateway-events.ts,
 * src/link/adapter-manager.ts and src/obd/encode.ts: the encodings and replies are those modules' own types, and
 * test/unit/events-types.test.ts fails to compile when a default event is missing here.
 */
import type { AdapterSnapshot, AdapterState } from './link/adapter-manager.js';
import type { ObdStatus } from './elm327/driver.js';
import type { EncodedCommand, EncodedFrame, EncodedMessage, EncodedResponse } from './obd/encode.js';
import type { ClientErrorCode } from './api/client-error.js';
import type { ReloadResult } from './gateway.js';
import type { EcuDtcs, EcuFreezeFrame } from './obd/dtc-groups.js';
import type { DtcReport } from './server/gateway-events.js';
import type { AlertEvent } from './alerts/machine.js';

/** An alert raised (active) or cleared: `{"name": "COOLANT_HOT", "message": "...", "active": true, "since": <ms>, "value": 106}`. */
export type ObdioAlert = AlertEvent;

/** A command as the wire carries it: `{"name": "RPM", "desc": "Engine RPM", "fast": true, "command": "010C", "bytes": "4", "ecu": 2}`. */
export type WireCommand = EncodedCommand;
/** A response: `{"value": 1726, "command": WireCommand, "time": <ms since epoch>, "unit": "revolutions_per_minute"}`. */
export type WireResponse = EncodedResponse;
export type WireMessage = EncodedMessage;
export type WireFrame = EncodedFrame;
/** Why a request was not served: a stable code and a message a person can act on. */
export interface WireError {
  code: ClientErrorCode;
  message: string;
}
/** What `obdio:error` carries: the failed request's event name plus the error. */
export interface WireEventError extends WireError {
  event: string;
}
/** python-OBD's OBDStatus strings, what `status` answers. */
export type WireStatus = ObdStatus;

/** What an acknowledgement receives: the reply, or `{ error }` when the request failed. */
export type AckReply<T> = T | { error: WireError };
/** The acknowledgement callback of an event whose reply is T. */
export type Ack<T> = (reply: AckReply<T>) => void;

/** A command name (python-OBD's, case-sensitive: "RPM") or a list of them, as `watch` takes. */
export type CommandNames = string | string[];

/** The adapter session as `obdio:status` describes it. */
export type ConnectionState = AdapterState;
/** Sent on every connection-state change, and to each client when it connects. */
export type ObdioStatus = AdapterSnapshot;

/** What `obdio:config` carries after every reload attempt (and on connect, once one happened). */
export type ObdioConfigResult = ReloadResult;

/** One entry of `obdio:watching`: a watched command and its rate in Hz (null: every loop pass). */
export interface WatchedCommand {
  name: string;
  rate: number | null;
}

/** The trouble codes one ECU reported: `[code, description]` pairs as in GET_DTC's value. */
export type DtcGroup = EcuDtcs;
export type { DtcReport, EcuFreezeFrame };

/**
 * Events a client sends, for `emitWithAck` and callbacks. Events that answer (getters, `query`,
 * `obdio:*`) take the acknowledgement as a required last argument, so `emitWithAck` knows the
 * reply's type; events that answer nothing (`watch`, `start`, ...) may be sent without one.
 * The same getters also reply on their own event name: clients written in the reference's
 * style (emit, then listen on the same name) use LooseClientToServerEvents instead.
 */
export interface ClientToServerEvents {
  status: (ack: Ack<WireStatus>) => void;
  is_connected: (ack: Ack<boolean>) => void;
  protocol_name: (ack: Ack<string>) => void;
  protocol_id: (ack: Ack<string>) => void;
  port_name: (ack: Ack<string>) => void;
  supports: (name: string, ack: Ack<boolean>) => void;
  has_name: (name: string, ack: Ack<boolean>) => void;
  supported_commands: (ack: Ack<WireCommand[]>) => void;
  /** The latest value of a watched command, or one request on the bus; null when there is none. */
  query: (name: string, ack: Ack<WireResponse | null>) => void;
  start: (ack?: Ack<null>) => void;
  stop: (ack?: Ack<null>) => void;
  watch: (names: CommandNames, ack?: Ack<null>) => void;
  unwatch: (names: CommandNames, ack?: Ack<null>) => void;
  unwatch_all: (ack?: Ack<null>) => void;
  close: (ack?: Ack<null>) => void;
  /** Join the room that receives every watched response on `obdio:value`; acks true. */
  'obdio:subscribe': (ack: Ack<true>) => void;
  'obdio:unsubscribe': (ack: Ack<true>) => void;
  /** The current watch list; also replied on `obdio:watching`. */
  'obdio:watching': (ack: Ack<WatchedCommand[]>) => void;
  /** Every ECU's trouble codes, grouped; also replied on `obdio:dtcs`. */
  'obdio:dtcs': (ack: Ack<DtcReport>) => void;
  /** The active alerts, oldest first; also replied on `obdio:alerts`. */
  'obdio:alerts': (ack: Ack<ObdioAlert[]>) => void;
  /** Starts trip figures (computed integrate/average commands) again: the named ones, or all; acks the names reset. */
  'obdio:trip_reset': (...args: [ack: Ack<string[]>] | [names: CommandNames, ack: Ack<string[]>]) => void;
}

/**
 * The same events with every acknowledgement optional: `socket.emit('status')` type-checks,
 * and the reply is read with `socket.on('status', ...)` as reference clients do.
 */
export type LooseClientToServerEvents = {
  [K in keyof ClientToServerEvents]: ClientToServerEvents[K] extends (...args: [...infer A, infer L]) => void
    ? (...args: A | [...A, L]) => void
    : ClientToServerEvents[K];
};

/** Events the gateway sends. */
export interface ServerToClientEvents {
  status: (status: WireStatus) => void;
  is_connected: (connected: boolean) => void;
  protocol_name: (name: string) => void;
  protocol_id: (id: string) => void;
  port_name: (port: string) => void;
  supports: (supported: boolean) => void;
  has_name: (known: boolean) => void;
  supported_commands: (commands: WireCommand[]) => void;
  query: (response: WireResponse | null) => void;
  /** Broadcast to every client after one sent `close`. */
  obd_closed: () => void;
  'obdio:error': (error: WireEventError) => void;
  /** Every watched response, to sockets that sent `obdio:subscribe`. */
  'obdio:value': (response: WireResponse) => void;
  'obdio:status': (status: ObdioStatus) => void;
  'obdio:config': (result: ObdioConfigResult) => void;
  'obdio:watching': (list: WatchedCommand[]) => void;
  'obdio:dtcs': (report: DtcReport) => void;
  /** Every alert raised or cleared (alerts: in obdio.yaml). */
  'obdio:alert': (alert: ObdioAlert) => void;
  /** The active alerts: sent to each client when it connects, and the reply to `obdio:alerts`. */
  'obdio:alerts': (alerts: ObdioAlert[]) => void;
  'obdio:trip_reset': (names: string[]) => void;
}
