/**
 * Manufacturer-specific data in the simulated car (obdio.yaml's `connection.sim.ecus`): extra
 * ECUs, each listening on a header, that answer configured requests (service 21/22 style, or
 * any other) with a positive response — the service + 0x40, the rest of the request echoed,
 * then the configured data: fixed bytes, or a raw number that ramps or swings with time.
 *
 * An ECU on 7E4 answers from 7EC (header + 8, as ISO 15765-4 pairs them); on 29-bit CAN and
 * the legacy buses it is the header's target address (DA 28 F1 → 28). An ECU configured on the
 * engine's or the transmission's header adds these answers to that ECU's own.
 */
import type { EcuAddresses } from './ecu.js';

/** Bytes, or a raw number that changes with time, sent big-endian (two's complement when min < 0). */
export type SimReplyPart =
  | { kind: 'bytes'; bytes: readonly number[] }
  | { kind: 'ramp' | 'sine'; min: number; max: number; /** ms */ period: number; bytes: number };

/** Header (hex) → request (hex, upper case) → the reply's parts, in order. */
export type SimEcuData = Readonly<Record<string, Readonly<Record<string, readonly SimReplyPart[]>>>>;

/** Something on the bus that answers requests: a J1979 ECU of the model, or a custom one. */
export interface Responder {
  readonly addresses: EcuAddresses;
  respond(request: readonly number[], legacy: boolean): number[][] | null;
}

/** The raw number a generator sends at `ms` milliseconds. */
export function generatorValue(part: Extract<SimReplyPart, { kind: 'ramp' | 'sine' }>, ms: number): number {
  const phase = (((ms % part.period) + part.period) % part.period) / part.period;
  const span = part.max - part.min;
  const value = part.kind === 'ramp' ? part.min + span * phase : part.min + span * (0.5 + 0.5 * Math.sin(2 * Math.PI * phase));
  return Math.min(part.max, Math.max(part.min, Math.round(value)));
}

function bigEndian(value: number, bytes: number): number[] {
  let unsigned = value < 0 ? value + 2 ** (8 * bytes) : value;
  const out = new Array<number>(bytes);
  for (let i = bytes - 1; i >= 0; i--) {
    out[i] = unsigned % 256;
    unsigned = Math.floor(unsigned / 256);
  }
  return out;
}

/** The data bytes of a reply at `ms`. */
export function replyData(parts: readonly SimReplyPart[], ms: number): number[] {
  return parts.flatMap((part) => (part.kind === 'bytes' ? [...part.bytes] : bigEndian(generatorValue(part, ms), part.bytes)));
}

function addressesOf(header: string): EcuAddresses {
  const value = parseInt(header, 16);
  if (header.length === 3) return { canId: value + 8, address: value & 0xff };
  // 29-bit / legacy: [priority] format target source — the target is the ECU.
  return { canId: 0, address: (value >> 8) & 0xff };
}

/** Whether an ECU of the model listens on this header. */
function sameEcu(header: string, addresses: EcuAddresses): boolean {
  const own = addressesOf(header);
  return header.length === 3 ? own.canId === addresses.canId : own.address === addresses.address;
}

class CustomAnswers {
  constructor(
    private readonly requests: Readonly<Record<string, readonly SimReplyPart[]>>,
    private readonly now: () => number,
    private readonly startMs: number,
  ) {}

  answer(request: readonly number[]): number[][] | null {
    const key = request.map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join('');
    const parts = Object.hasOwn(this.requests, key) ? this.requests[key] : undefined;
    if (!parts) return null;
    const [service, ...rest] = request;
    return [[(service! + 0x40) & 0xff, ...rest, ...replyData(parts, this.now() - this.startMs)]];
  }
}

/**
 * The model's ECUs plus the configured ones, in the order they win CAN arbitration (lower id
 * first). `now` is the vehicle's clock; generators count from the moment this is called.
 */
export function withCustomEcus(ecus: readonly Responder[], data: SimEcuData | undefined, now: () => number): Responder[] {
  const responders: Responder[] = [...ecus];
  const startMs = now();
  for (const [header, requests] of Object.entries(data ?? {})) {
    const answers = new CustomAnswers(requests, now, startMs);
    const index = responders.findIndex((ecu) => sameEcu(header, ecu.addresses));
    if (index >= 0) {
      const own = responders[index]!;
      responders[index] = {
        addresses: own.addresses,
        respond: (request, legacy) => answers.answer(request) ?? own.respond(request, legacy),
      };
    } else {
      responders.push({ addresses: addressesOf(header), respond: (request) => answers.answer(request) });
    }
  }
  return responders.sort((a, b) => a.addresses.canId - b.addresses.canId || a.addresses.address - b.addresses.address);
}
