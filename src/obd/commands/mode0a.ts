/**
 * Service 0A: permanent trouble codes (those a clear cannot erase). Not in python-OBD; same
 * answer layout and decoder as services 03 and 07.
 */
import type { OBDCommand } from '../command.js';
import { dtc } from '../decoders.js';
import { ECU, defineCommand } from './define.js';

export const GET_PERMANENT_DTC: OBDCommand = defineCommand({
  name: 'GET_PERMANENT_DTC',
  desc: 'Get permanent DTCs',
  command: '0A',
  bytes: 0,
  decoder: dtc,
  ecu: ECU.ALL,
  fast: false,
});

export const mode0a: readonly OBDCommand[] = Object.freeze([GET_PERMANENT_DTC]);
