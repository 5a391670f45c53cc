/** Service 03: stored (confirmed) trouble codes, from every ECU. */
import type { OBDCommand } from '../command.js';
import { dtc } from '../decoders.js';
import { ECU, defineCommand } from './define.js';

export const GET_DTC: OBDCommand = defineCommand({
  name: 'GET_DTC',
  desc: 'Get DTCs',
  command: '03',
  bytes: 0,
  decoder: dtc,
  ecu: ECU.ALL,
  fast: false,
});

export const mode03: readonly OBDCommand[] = Object.freeze([GET_DTC]);
