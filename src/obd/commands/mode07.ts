/** Service 07: pending trouble codes (current or last driving cycle), from every ECU. */
import type { OBDCommand } from '../command.js';
import { dtc } from '../decoders.js';
import { ECU, defineCommand } from './define.js';

export const GET_CURRENT_DTC: OBDCommand = defineCommand({
  name: 'GET_CURRENT_DTC',
  desc: 'Get DTCs from the current/last driving cycle',
  command: '07',
  bytes: 0,
  decoder: dtc,
  ecu: ECU.ALL,
  fast: false,
});

export const mode07: readonly OBDCommand[] = Object.freeze([GET_CURRENT_DTC]);
