/**
 * A minimal SAE J1939 engine (source address 00) for protocol A. The adapter takes a request
 * as a parameter group number ("00FEEE" or "FEEE"); the engine answers a handful of broadcast
 * PGNs as single 8-byte frames, and nothing else (NO DATA). OBD-II services are not offered
 * over J1939 here: "0100" is just PGN 0x0100, which nobody sends.
 */
import type { VehicleState } from './vehicle.js';

export const J1939_ENGINE_ADDRESS = 0x00;

const NA = 0xff;
const u8 = (x: number): number => Math.min(250, Math.max(0, Math.round(x)));
/** Little-endian 16-bit value, J1939 byte order. */
const le16 = (x: number): number[] => {
  const v = Math.min(0xfaff, Math.max(0, Math.round(x)));
  return [v & 0xff, v >> 8];
};

const PGNS: ReadonlyMap<number, (s: VehicleState) => number[]> = new Map([
  // EEC1 (61444): driver demand and actual torque (+125 %), engine speed 0.125 rpm/bit.
  [
    0xf004,
    (s: VehicleState) => [0xf0, u8(s.driverDemandTorque + 125), u8(s.actualTorque + 125), ...le16(s.rpm * 8), J1939_ENGINE_ADDRESS, NA, NA],
  ],
  // ET1 (65262): coolant and fuel temperature (+40 °C), oil temperature 0.03125 °C/bit from −273 °C.
  [0xfeee, (s: VehicleState) => [u8(s.coolantTemp + 40), u8(s.ambientTemp + 45), ...le16((s.oilTemp + 273) * 32), NA, NA, NA, NA]],
  // CCVS (65265): wheel-based speed, 1/256 km/h per bit.
  [0xfef1, (s: VehicleState) => [NA, ...le16(s.speed * 256), NA, NA, NA, NA, NA]],
  // Dash display (65276): fuel level 0.4 %/bit.
  [0xfefc, (s: VehicleState) => [NA, u8(s.fuelLevel / 0.4), NA, NA, NA, NA, NA, NA]],
  // DM1 (65226): lamps off, no active fault (SPN 0, FMI 0).
  [0xfeca, () => [0x00, NA, 0x00, 0x00, 0x00, 0x00, NA, NA]],
]);

/** The engine's 8 data bytes for `pgn`, or null when it does not send that PGN. */
export function j1939Answer(pgn: number, state: VehicleState): number[] | null {
  return PGNS.get(pgn)?.(state) ?? null;
}
