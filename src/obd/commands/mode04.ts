/** Service 04: clear trouble codes and freeze frame data. The answer carries no value. */
import type { OBDCommand } from '../command.js';
import { drop } from '../decoders.js';
import { ECU, defineCommand } from './define.js';

export const CLEAR_DTC: OBDCommand = defineCommand({
  name: 'CLEAR_DTC',
  desc: 'Clear DTCs and Freeze data',
  command: '04',
  bytes: 0,
  decoder: drop,
  ecu: ECU.ALL,
  fast: false,
});

export const mode04: readonly OBDCommand[] = Object.freeze([CLEAR_DTC]);
