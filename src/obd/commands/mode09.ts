/**
 * Service 09: vehicle information. PIDs 00-06 are python-OBD 0.7.3's (its lengths included:
 * CALIBRATION_ID's 18 bytes cut the last character of a CAN answer, as in the reference);
 * 07-0B are the ones python-OBD left commented out, with its names, decoded here, and of any
 * length since their size depends on the vehicle.
 */
import type { OBDCommand } from '../command.js';
import { count, cvn, encodedString, pidBitmap } from '../decoders.js';
import { COMPRESSION_TRACKING, SPARK_TRACKING, ecuName, performanceTracking } from '../decoders-j1979.js';
import { type CommandSpec, ECU, defineCommand, hex2 } from './define.js';

function row(pid: number, name: string, desc: string, bytes: number, decoder: CommandSpec['decoder'], ecu: number): OBDCommand {
  return defineCommand({ name, desc, command: `09${hex2(pid)}`, bytes, decoder, ecu, fast: true });
}

export const mode09: readonly OBDCommand[] = Object.freeze([
  row(0x00, 'PIDS_9A', 'Supported PIDs [01-20]', 7, pidBitmap, ECU.ALL),
  row(0x01, 'VIN_MESSAGE_COUNT', 'VIN Message Count', 3, count, ECU.ENGINE),
  row(0x02, 'VIN', 'Vehicle Identification Number', 22, encodedString(17), ECU.ENGINE),
  row(0x03, 'CALIBRATION_ID_MESSAGE_COUNT', 'Calibration ID message count for PID 04', 3, count, ECU.ALL),
  row(0x04, 'CALIBRATION_ID', 'Calibration ID', 18, encodedString(16), ECU.ALL),
  row(0x05, 'CVN_MESSAGE_COUNT', 'CVN Message Count for PID 06', 3, count, ECU.ALL),
  row(0x06, 'CVN', 'Calibration Verification Numbers', 10, cvn, ECU.ALL),
  row(0x07, 'PERF_TRACKING_MESSAGE_COUNT', 'Performance tracking message count', 3, count, ECU.ALL),
  row(0x08, 'PERF_TRACKING_SPARK', 'In-use performance tracking (spark ignition)', 0, performanceTracking(SPARK_TRACKING), ECU.ALL),
  row(0x09, 'ECU_NAME_MESSAGE_COUNT', 'ECU Name Message Count for PID 0A', 3, count, ECU.ALL),
  row(0x0a, 'ECU_NAME', 'ECU Name', 0, ecuName, ECU.ALL),
  row(
    0x0b,
    'PERF_TRACKING_COMPRESSION',
    'In-use performance tracking (compression ignition)',
    0,
    performanceTracking(COMPRESSION_TRACKING),
    ECU.ALL,
  ),
]);
