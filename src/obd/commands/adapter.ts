/**
 * Commands answered by the ELM327 itself, not the car. Their answers are text lines the adapter
 * layer passes up as messages of ECU.UNKNOWN, which is why that is their filter.
 */
import type { OBDCommand } from '../command.js';
import { elmVoltage, rawString } from '../decoders.js';
import { ECU, defineCommand } from './define.js';

export const ELM_VERSION: OBDCommand = defineCommand({
  name: 'ELM_VERSION',
  desc: 'ELM327 version string',
  command: 'ATI',
  bytes: 0,
  decoder: rawString,
  ecu: ECU.UNKNOWN,
  fast: false,
});

export const ELM_VOLTAGE: OBDCommand = defineCommand({
  name: 'ELM_VOLTAGE',
  desc: 'Voltage detected by OBD-II adapter',
  command: 'ATRV',
  bytes: 0,
  decoder: elmVoltage,
  ecu: ECU.UNKNOWN,
  fast: false,
});

export const adapterCommands: readonly OBDCommand[] = Object.freeze([ELM_VERSION, ELM_VOLTAGE]);
