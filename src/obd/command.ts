import type { Addressing } from '../elm327/addressing.js';
import type { Message } from '../elm327/message.js';

/**
 * A decoded value, already in the JSON shape clients receive (see the wire notes):
 * numbers are magnitudes, bit arrays are boolean arrays, DTC lists are [code, desc] pairs...
 * `unit` is python-OBD's pint unit name for quantities ("revolutions_per_minute") or the
 * Python type repr for other values ("<class 'str'>").
 */
export interface Decoded {
  value: unknown;
  unit: string;
}

/** Turns the messages of the ECUs that passed the command's filter into a value; null when it cannot. */
export type Decoder = (messages: readonly Message[]) => Decoded | null;

/** An OBD-II request as data, like python-OBD's OBDCommand. */
export interface OBDCommand {
  /** Upper-case name, python-OBD's: "RPM", "COOLANT_TEMP", "GET_DTC", "ELM_VOLTAGE". */
  readonly name: string;
  readonly desc: string;
  /** The request as hex text ("010C"), or the adapter command for ELM_* ("ATRV"). */
  readonly command: string;
  /** Expected payload length in bytes, service and PID bytes included (RPM: 4); 0 for variable. */
  readonly bytes: number;
  readonly decoder: Decoder;
  /** ECU bit mask of the ECUs whose answers count (ECU.ALL, ECU.ENGINE, ...). */
  readonly ecu: number;
  /** Whether the "fast" response-count suffix may be appended to the request. */
  readonly fast: boolean;
  /** CAN header (ATSH) to send the request with; "7E0" (python-OBD's ECU_HEADER.ENGINE) by default. */
  readonly header: string;
  /** Addressing beyond the header (extended address, flow control...) for ECUs that need it; absent: plain. */
  readonly addressing?: Addressing | null;
}

/** The answer to one query, like python-OBD's OBDResponse. */
export interface OBDResponse {
  readonly command: OBDCommand;
  readonly messages: readonly Message[];
  /** null when there is no value (NO DATA, unsupported, no ECU answered). */
  readonly value: unknown;
  /** null exactly when value is null (python-OBD's OBDResponse.unit). */
  readonly unit: string | null;
  /** Milliseconds since the epoch, when the answer arrived. */
  readonly time: number;
}
