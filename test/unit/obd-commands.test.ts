import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allCommands,
  baseCommands,
  commandByModePid,
  commandByName,
  commandMode,
  commandPid,
  pidBitmapCommands,
  supportedFromBitmap,
} from '../../src/obd/commands/index.js';
import type { OBDCommand } from '../../src/obd/command.js';

/**
 * python-OBD 0.7.3's complete command list, read from its obd/commands.py (mode 02 expanded the
 * way it builds it: "DTC_" + name, "DTC " + desc, "02" + PID):
 * [name, desc, request, bytes, ecu mask, fast].
 */
const PYTHON_OBD_COMMANDS: ReadonlyArray<readonly [string, string, string, number, number, boolean]> = [
  ['PIDS_A', 'Supported PIDs [01-20]', '0100', 6, 2, true],
  ['DTC_PIDS_A', 'DTC Supported PIDs [01-20]', '0200', 6, 2, true],
  ['STATUS', 'Status since DTCs cleared', '0101', 6, 2, true],
  ['DTC_STATUS', 'DTC Status since DTCs cleared', '0201', 6, 2, true],
  ['FREEZE_DTC', 'DTC that triggered the freeze frame', '0102', 4, 2, true],
  ['DTC_FREEZE_DTC', 'DTC DTC that triggered the freeze frame', '0202', 4, 2, true],
  ['FUEL_STATUS', 'Fuel System Status', '0103', 4, 2, true],
  ['DTC_FUEL_STATUS', 'DTC Fuel System Status', '0203', 4, 2, true],
  ['ENGINE_LOAD', 'Calculated Engine Load', '0104', 3, 2, true],
  ['DTC_ENGINE_LOAD', 'DTC Calculated Engine Load', '0204', 3, 2, true],
  ['COOLANT_TEMP', 'Engine Coolant Temperature', '0105', 3, 2, true],
  ['DTC_COOLANT_TEMP', 'DTC Engine Coolant Temperature', '0205', 3, 2, true],
  ['SHORT_FUEL_TRIM_1', 'Short Term Fuel Trim - Bank 1', '0106', 3, 2, true],
  ['DTC_SHORT_FUEL_TRIM_1', 'DTC Short Term Fuel Trim - Bank 1', '0206', 3, 2, true],
  ['LONG_FUEL_TRIM_1', 'Long Term Fuel Trim - Bank 1', '0107', 3, 2, true],
  ['DTC_LONG_FUEL_TRIM_1', 'DTC Long Term Fuel Trim - Bank 1', '0207', 3, 2, true],
  ['SHORT_FUEL_TRIM_2', 'Short Term Fuel Trim - Bank 2', '0108', 3, 2, true],
  ['DTC_SHORT_FUEL_TRIM_2', 'DTC Short Term Fuel Trim - Bank 2', '0208', 3, 2, true],
  ['LONG_FUEL_TRIM_2', 'Long Term Fuel Trim - Bank 2', '0109', 3, 2, true],
  ['DTC_LONG_FUEL_TRIM_2', 'DTC Long Term Fuel Trim - Bank 2', '0209', 3, 2, true],
  ['FUEL_PRESSURE', 'Fuel Pressure', '010A', 3, 2, true],
  ['DTC_FUEL_PRESSURE', 'DTC Fuel Pressure', '020A', 3, 2, true],
  ['INTAKE_PRESSURE', 'Intake Manifold Pressure', '010B', 3, 2, true],
  ['DTC_INTAKE_PRESSURE', 'DTC Intake Manifold Pressure', '020B', 3, 2, true],
  ['RPM', 'Engine RPM', '010C', 4, 2, true],
  ['DTC_RPM', 'DTC Engine RPM', '020C', 4, 2, true],
  ['SPEED', 'Vehicle Speed', '010D', 3, 2, true],
  ['DTC_SPEED', 'DTC Vehicle Speed', '020D', 3, 2, true],
  ['TIMING_ADVANCE', 'Timing Advance', '010E', 3, 2, true],
  ['DTC_TIMING_ADVANCE', 'DTC Timing Advance', '020E', 3, 2, true],
  ['INTAKE_TEMP', 'Intake Air Temp', '010F', 3, 2, true],
  ['DTC_INTAKE_TEMP', 'DTC Intake Air Temp', '020F', 3, 2, true],
  ['MAF', 'Air Flow Rate (MAF)', '0110', 4, 2, true],
  ['DTC_MAF', 'DTC Air Flow Rate (MAF)', '0210', 4, 2, true],
  ['THROTTLE_POS', 'Throttle Position', '0111', 3, 2, true],
  ['DTC_THROTTLE_POS', 'DTC Throttle Position', '0211', 3, 2, true],
  ['AIR_STATUS', 'Secondary Air Status', '0112', 3, 2, true],
  ['DTC_AIR_STATUS', 'DTC Secondary Air Status', '0212', 3, 2, true],
  ['O2_SENSORS', 'O2 Sensors Present', '0113', 3, 2, true],
  ['DTC_O2_SENSORS', 'DTC O2 Sensors Present', '0213', 3, 2, true],
  ['O2_B1S1', 'O2: Bank 1 - Sensor 1 Voltage', '0114', 4, 2, true],
  ['DTC_O2_B1S1', 'DTC O2: Bank 1 - Sensor 1 Voltage', '0214', 4, 2, true],
  ['O2_B1S2', 'O2: Bank 1 - Sensor 2 Voltage', '0115', 4, 2, true],
  ['DTC_O2_B1S2', 'DTC O2: Bank 1 - Sensor 2 Voltage', '0215', 4, 2, true],
  ['O2_B1S3', 'O2: Bank 1 - Sensor 3 Voltage', '0116', 4, 2, true],
  ['DTC_O2_B1S3', 'DTC O2: Bank 1 - Sensor 3 Voltage', '0216', 4, 2, true],
  ['O2_B1S4', 'O2: Bank 1 - Sensor 4 Voltage', '0117', 4, 2, true],
  ['DTC_O2_B1S4', 'DTC O2: Bank 1 - Sensor 4 Voltage', '0217', 4, 2, true],
  ['O2_B2S1', 'O2: Bank 2 - Sensor 1 Voltage', '0118', 4, 2, true],
  ['DTC_O2_B2S1', 'DTC O2: Bank 2 - Sensor 1 Voltage', '0218', 4, 2, true],
  ['O2_B2S2', 'O2: Bank 2 - Sensor 2 Voltage', '0119', 4, 2, true],
  ['DTC_O2_B2S2', 'DTC O2: Bank 2 - Sensor 2 Voltage', '0219', 4, 2, true],
  ['O2_B2S3', 'O2: Bank 2 - Sensor 3 Voltage', '011A', 4, 2, true],
  ['DTC_O2_B2S3', 'DTC O2: Bank 2 - Sensor 3 Voltage', '021A', 4, 2, true],
  ['O2_B2S4', 'O2: Bank 2 - Sensor 4 Voltage', '011B', 4, 2, true],
  ['DTC_O2_B2S4', 'DTC O2: Bank 2 - Sensor 4 Voltage', '021B', 4, 2, true],
  ['OBD_COMPLIANCE', 'OBD Standards Compliance', '011C', 3, 2, true],
  ['DTC_OBD_COMPLIANCE', 'DTC OBD Standards Compliance', '021C', 3, 2, true],
  ['O2_SENSORS_ALT', 'O2 Sensors Present (alternate)', '011D', 3, 2, true],
  ['DTC_O2_SENSORS_ALT', 'DTC O2 Sensors Present (alternate)', '021D', 3, 2, true],
  ['AUX_INPUT_STATUS', 'Auxiliary input status (power take off)', '011E', 3, 2, true],
  ['DTC_AUX_INPUT_STATUS', 'DTC Auxiliary input status (power take off)', '021E', 3, 2, true],
  ['RUN_TIME', 'Engine Run Time', '011F', 4, 2, true],
  ['DTC_RUN_TIME', 'DTC Engine Run Time', '021F', 4, 2, true],
  ['PIDS_B', 'Supported PIDs [21-40]', '0120', 6, 2, true],
  ['DTC_PIDS_B', 'DTC Supported PIDs [21-40]', '0220', 6, 2, true],
  ['DISTANCE_W_MIL', 'Distance Traveled with MIL on', '0121', 4, 2, true],
  ['DTC_DISTANCE_W_MIL', 'DTC Distance Traveled with MIL on', '0221', 4, 2, true],
  ['FUEL_RAIL_PRESSURE_VAC', 'Fuel Rail Pressure (relative to vacuum)', '0122', 4, 2, true],
  ['DTC_FUEL_RAIL_PRESSURE_VAC', 'DTC Fuel Rail Pressure (relative to vacuum)', '0222', 4, 2, true],
  ['FUEL_RAIL_PRESSURE_DIRECT', 'Fuel Rail Pressure (direct inject)', '0123', 4, 2, true],
  ['DTC_FUEL_RAIL_PRESSURE_DIRECT', 'DTC Fuel Rail Pressure (direct inject)', '0223', 4, 2, true],
  ['O2_S1_WR_VOLTAGE', '02 Sensor 1 WR Lambda Voltage', '0124', 6, 2, true],
  ['DTC_O2_S1_WR_VOLTAGE', 'DTC 02 Sensor 1 WR Lambda Voltage', '0224', 6, 2, true],
  ['O2_S2_WR_VOLTAGE', '02 Sensor 2 WR Lambda Voltage', '0125', 6, 2, true],
  ['DTC_O2_S2_WR_VOLTAGE', 'DTC 02 Sensor 2 WR Lambda Voltage', '0225', 6, 2, true],
  ['O2_S3_WR_VOLTAGE', '02 Sensor 3 WR Lambda Voltage', '0126', 6, 2, true],
  ['DTC_O2_S3_WR_VOLTAGE', 'DTC 02 Sensor 3 WR Lambda Voltage', '0226', 6, 2, true],
  ['O2_S4_WR_VOLTAGE', '02 Sensor 4 WR Lambda Voltage', '0127', 6, 2, true],
  ['DTC_O2_S4_WR_VOLTAGE', 'DTC 02 Sensor 4 WR Lambda Voltage', '0227', 6, 2, true],
  ['O2_S5_WR_VOLTAGE', '02 Sensor 5 WR Lambda Voltage', '0128', 6, 2, true],
  ['DTC_O2_S5_WR_VOLTAGE', 'DTC 02 Sensor 5 WR Lambda Voltage', '0228', 6, 2, true],
  ['O2_S6_WR_VOLTAGE', '02 Sensor 6 WR Lambda Voltage', '0129', 6, 2, true],
  ['DTC_O2_S6_WR_VOLTAGE', 'DTC 02 Sensor 6 WR Lambda Voltage', '0229', 6, 2, true],
  ['O2_S7_WR_VOLTAGE', '02 Sensor 7 WR Lambda Voltage', '012A', 6, 2, true],
  ['DTC_O2_S7_WR_VOLTAGE', 'DTC 02 Sensor 7 WR Lambda Voltage', '022A', 6, 2, true],
  ['O2_S8_WR_VOLTAGE', '02 Sensor 8 WR Lambda Voltage', '012B', 6, 2, true],
  ['DTC_O2_S8_WR_VOLTAGE', 'DTC 02 Sensor 8 WR Lambda Voltage', '022B', 6, 2, true],
  ['COMMANDED_EGR', 'Commanded EGR', '012C', 3, 2, true],
  ['DTC_COMMANDED_EGR', 'DTC Commanded EGR', '022C', 3, 2, true],
  ['EGR_ERROR', 'EGR Error', '012D', 3, 2, true],
  ['DTC_EGR_ERROR', 'DTC EGR Error', '022D', 3, 2, true],
  ['EVAPORATIVE_PURGE', 'Commanded Evaporative Purge', '012E', 3, 2, true],
  ['DTC_EVAPORATIVE_PURGE', 'DTC Commanded Evaporative Purge', '022E', 3, 2, true],
  ['FUEL_LEVEL', 'Fuel Level Input', '012F', 3, 2, true],
  ['DTC_FUEL_LEVEL', 'DTC Fuel Level Input', '022F', 3, 2, true],
  ['WARMUPS_SINCE_DTC_CLEAR', 'Number of warm-ups since codes cleared', '0130', 3, 2, true],
  ['DTC_WARMUPS_SINCE_DTC_CLEAR', 'DTC Number of warm-ups since codes cleared', '0230', 3, 2, true],
  ['DISTANCE_SINCE_DTC_CLEAR', 'Distance traveled since codes cleared', '0131', 4, 2, true],
  ['DTC_DISTANCE_SINCE_DTC_CLEAR', 'DTC Distance traveled since codes cleared', '0231', 4, 2, true],
  ['EVAP_VAPOR_PRESSURE', 'Evaporative system vapor pressure', '0132', 4, 2, true],
  ['DTC_EVAP_VAPOR_PRESSURE', 'DTC Evaporative system vapor pressure', '0232', 4, 2, true],
  ['BAROMETRIC_PRESSURE', 'Barometric Pressure', '0133', 3, 2, true],
  ['DTC_BAROMETRIC_PRESSURE', 'DTC Barometric Pressure', '0233', 3, 2, true],
  ['O2_S1_WR_CURRENT', '02 Sensor 1 WR Lambda Current', '0134', 6, 2, true],
  ['DTC_O2_S1_WR_CURRENT', 'DTC 02 Sensor 1 WR Lambda Current', '0234', 6, 2, true],
  ['O2_S2_WR_CURRENT', '02 Sensor 2 WR Lambda Current', '0135', 6, 2, true],
  ['DTC_O2_S2_WR_CURRENT', 'DTC 02 Sensor 2 WR Lambda Current', '0235', 6, 2, true],
  ['O2_S3_WR_CURRENT', '02 Sensor 3 WR Lambda Current', '0136', 6, 2, true],
  ['DTC_O2_S3_WR_CURRENT', 'DTC 02 Sensor 3 WR Lambda Current', '0236', 6, 2, true],
  ['O2_S4_WR_CURRENT', '02 Sensor 4 WR Lambda Current', '0137', 6, 2, true],
  ['DTC_O2_S4_WR_CURRENT', 'DTC 02 Sensor 4 WR Lambda Current', '0237', 6, 2, true],
  ['O2_S5_WR_CURRENT', '02 Sensor 5 WR Lambda Current', '0138', 6, 2, true],
  ['DTC_O2_S5_WR_CURRENT', 'DTC 02 Sensor 5 WR Lambda Current', '0238', 6, 2, true],
  ['O2_S6_WR_CURRENT', '02 Sensor 6 WR Lambda Current', '0139', 6, 2, true],
  ['DTC_O2_S6_WR_CURRENT', 'DTC 02 Sensor 6 WR Lambda Current', '0239', 6, 2, true],
  ['O2_S7_WR_CURRENT', '02 Sensor 7 WR Lambda Current', '013A', 6, 2, true],
  ['DTC_O2_S7_WR_CURRENT', 'DTC 02 Sensor 7 WR Lambda Current', '023A', 6, 2, true],
  ['O2_S8_WR_CURRENT', '02 Sensor 8 WR Lambda Current', '013B', 6, 2, true],
  ['DTC_O2_S8_WR_CURRENT', 'DTC 02 Sensor 8 WR Lambda Current', '023B', 6, 2, true],
  ['CATALYST_TEMP_B1S1', 'Catalyst Temperature: Bank 1 - Sensor 1', '013C', 4, 2, true],
  ['DTC_CATALYST_TEMP_B1S1', 'DTC Catalyst Temperature: Bank 1 - Sensor 1', '023C', 4, 2, true],
  ['CATALYST_TEMP_B2S1', 'Catalyst Temperature: Bank 2 - Sensor 1', '013D', 4, 2, true],
  ['DTC_CATALYST_TEMP_B2S1', 'DTC Catalyst Temperature: Bank 2 - Sensor 1', '023D', 4, 2, true],
  ['CATALYST_TEMP_B1S2', 'Catalyst Temperature: Bank 1 - Sensor 2', '013E', 4, 2, true],
  ['DTC_CATALYST_TEMP_B1S2', 'DTC Catalyst Temperature: Bank 1 - Sensor 2', '023E', 4, 2, true],
  ['CATALYST_TEMP_B2S2', 'Catalyst Temperature: Bank 2 - Sensor 2', '013F', 4, 2, true],
  ['DTC_CATALYST_TEMP_B2S2', 'DTC Catalyst Temperature: Bank 2 - Sensor 2', '023F', 4, 2, true],
  ['PIDS_C', 'Supported PIDs [41-60]', '0140', 6, 2, true],
  ['DTC_PIDS_C', 'DTC Supported PIDs [41-60]', '0240', 6, 2, true],
  ['STATUS_DRIVE_CYCLE', 'Monitor status this drive cycle', '0141', 6, 2, true],
  ['DTC_STATUS_DRIVE_CYCLE', 'DTC Monitor status this drive cycle', '0241', 6, 2, true],
  ['CONTROL_MODULE_VOLTAGE', 'Control module voltage', '0142', 4, 2, true],
  ['DTC_CONTROL_MODULE_VOLTAGE', 'DTC Control module voltage', '0242', 4, 2, true],
  ['ABSOLUTE_LOAD', 'Absolute load value', '0143', 4, 2, true],
  ['DTC_ABSOLUTE_LOAD', 'DTC Absolute load value', '0243', 4, 2, true],
  ['COMMANDED_EQUIV_RATIO', 'Commanded equivalence ratio', '0144', 4, 2, true],
  ['DTC_COMMANDED_EQUIV_RATIO', 'DTC Commanded equivalence ratio', '0244', 4, 2, true],
  ['RELATIVE_THROTTLE_POS', 'Relative throttle position', '0145', 3, 2, true],
  ['DTC_RELATIVE_THROTTLE_POS', 'DTC Relative throttle position', '0245', 3, 2, true],
  ['AMBIANT_AIR_TEMP', 'Ambient air temperature', '0146', 3, 2, true],
  ['DTC_AMBIANT_AIR_TEMP', 'DTC Ambient air temperature', '0246', 3, 2, true],
  ['THROTTLE_POS_B', 'Absolute throttle position B', '0147', 3, 2, true],
  ['DTC_THROTTLE_POS_B', 'DTC Absolute throttle position B', '0247', 3, 2, true],
  ['THROTTLE_POS_C', 'Absolute throttle position C', '0148', 3, 2, true],
  ['DTC_THROTTLE_POS_C', 'DTC Absolute throttle position C', '0248', 3, 2, true],
  ['ACCELERATOR_POS_D', 'Accelerator pedal position D', '0149', 3, 2, true],
  ['DTC_ACCELERATOR_POS_D', 'DTC Accelerator pedal position D', '0249', 3, 2, true],
  ['ACCELERATOR_POS_E', 'Accelerator pedal position E', '014A', 3, 2, true],
  ['DTC_ACCELERATOR_POS_E', 'DTC Accelerator pedal position E', '024A', 3, 2, true],
  ['ACCELERATOR_POS_F', 'Accelerator pedal position F', '014B', 3, 2, true],
  ['DTC_ACCELERATOR_POS_F', 'DTC Accelerator pedal position F', '024B', 3, 2, true],
  ['THROTTLE_ACTUATOR', 'Commanded throttle actuator', '014C', 3, 2, true],
  ['DTC_THROTTLE_ACTUATOR', 'DTC Commanded throttle actuator', '024C', 3, 2, true],
  ['RUN_TIME_MIL', 'Time run with MIL on', '014D', 4, 2, true],
  ['DTC_RUN_TIME_MIL', 'DTC Time run with MIL on', '024D', 4, 2, true],
  ['TIME_SINCE_DTC_CLEARED', 'Time since trouble codes cleared', '014E', 4, 2, true],
  ['DTC_TIME_SINCE_DTC_CLEARED', 'DTC Time since trouble codes cleared', '024E', 4, 2, true],
  ['MAX_VALUES', 'Various Max values', '014F', 6, 2, true],
  ['DTC_MAX_VALUES', 'DTC Various Max values', '024F', 6, 2, true],
  ['MAX_MAF', 'Maximum value for mass air flow sensor', '0150', 6, 2, true],
  ['DTC_MAX_MAF', 'DTC Maximum value for mass air flow sensor', '0250', 6, 2, true],
  ['FUEL_TYPE', 'Fuel Type', '0151', 3, 2, true],
  ['DTC_FUEL_TYPE', 'DTC Fuel Type', '0251', 3, 2, true],
  ['ETHANOL_PERCENT', 'Ethanol Fuel Percent', '0152', 3, 2, true],
  ['DTC_ETHANOL_PERCENT', 'DTC Ethanol Fuel Percent', '0252', 3, 2, true],
  ['EVAP_VAPOR_PRESSURE_ABS', 'Absolute Evap system Vapor Pressure', '0153', 4, 2, true],
  ['DTC_EVAP_VAPOR_PRESSURE_ABS', 'DTC Absolute Evap system Vapor Pressure', '0253', 4, 2, true],
  ['EVAP_VAPOR_PRESSURE_ALT', 'Evap system vapor pressure', '0154', 4, 2, true],
  ['DTC_EVAP_VAPOR_PRESSURE_ALT', 'DTC Evap system vapor pressure', '0254', 4, 2, true],
  ['SHORT_O2_TRIM_B1', 'Short term secondary O2 trim - Bank 1', '0155', 4, 2, true],
  ['DTC_SHORT_O2_TRIM_B1', 'DTC Short term secondary O2 trim - Bank 1', '0255', 4, 2, true],
  ['LONG_O2_TRIM_B1', 'Long term secondary O2 trim - Bank 1', '0156', 4, 2, true],
  ['DTC_LONG_O2_TRIM_B1', 'DTC Long term secondary O2 trim - Bank 1', '0256', 4, 2, true],
  ['SHORT_O2_TRIM_B2', 'Short term secondary O2 trim - Bank 2', '0157', 4, 2, true],
  ['DTC_SHORT_O2_TRIM_B2', 'DTC Short term secondary O2 trim - Bank 2', '0257', 4, 2, true],
  ['LONG_O2_TRIM_B2', 'Long term secondary O2 trim - Bank 2', '0158', 4, 2, true],
  ['DTC_LONG_O2_TRIM_B2', 'DTC Long term secondary O2 trim - Bank 2', '0258', 4, 2, true],
  ['FUEL_RAIL_PRESSURE_ABS', 'Fuel rail pressure (absolute)', '0159', 4, 2, true],
  ['DTC_FUEL_RAIL_PRESSURE_ABS', 'DTC Fuel rail pressure (absolute)', '0259', 4, 2, true],
  ['RELATIVE_ACCEL_POS', 'Relative accelerator pedal position', '015A', 3, 2, true],
  ['DTC_RELATIVE_ACCEL_POS', 'DTC Relative accelerator pedal position', '025A', 3, 2, true],
  ['HYBRID_BATTERY_REMAINING', 'Hybrid battery pack remaining life', '015B', 3, 2, true],
  ['DTC_HYBRID_BATTERY_REMAINING', 'DTC Hybrid battery pack remaining life', '025B', 3, 2, true],
  ['OIL_TEMP', 'Engine oil temperature', '015C', 3, 2, true],
  ['DTC_OIL_TEMP', 'DTC Engine oil temperature', '025C', 3, 2, true],
  ['FUEL_INJECT_TIMING', 'Fuel injection timing', '015D', 4, 2, true],
  ['DTC_FUEL_INJECT_TIMING', 'DTC Fuel injection timing', '025D', 4, 2, true],
  ['FUEL_RATE', 'Engine fuel rate', '015E', 4, 2, true],
  ['DTC_FUEL_RATE', 'DTC Engine fuel rate', '025E', 4, 2, true],
  ['EMISSION_REQ', 'Designed emission requirements', '015F', 3, 2, true],
  ['DTC_EMISSION_REQ', 'DTC Designed emission requirements', '025F', 3, 2, true],
  ['GET_DTC', 'Get DTCs', '03', 0, 255, false],
  ['CLEAR_DTC', 'Clear DTCs and Freeze data', '04', 0, 255, false],
  ['MIDS_A', 'Supported MIDs [01-20]', '0600', 0, 255, false],
  ['MONITOR_O2_B1S1', 'O2 Sensor Monitor Bank 1 - Sensor 1', '0601', 0, 255, false],
  ['MONITOR_O2_B1S2', 'O2 Sensor Monitor Bank 1 - Sensor 2', '0602', 0, 255, false],
  ['MONITOR_O2_B1S3', 'O2 Sensor Monitor Bank 1 - Sensor 3', '0603', 0, 255, false],
  ['MONITOR_O2_B1S4', 'O2 Sensor Monitor Bank 1 - Sensor 4', '0604', 0, 255, false],
  ['MONITOR_O2_B2S1', 'O2 Sensor Monitor Bank 2 - Sensor 1', '0605', 0, 255, false],
  ['MONITOR_O2_B2S2', 'O2 Sensor Monitor Bank 2 - Sensor 2', '0606', 0, 255, false],
  ['MONITOR_O2_B2S3', 'O2 Sensor Monitor Bank 2 - Sensor 3', '0607', 0, 255, false],
  ['MONITOR_O2_B2S4', 'O2 Sensor Monitor Bank 2 - Sensor 4', '0608', 0, 255, false],
  ['MONITOR_O2_B3S1', 'O2 Sensor Monitor Bank 3 - Sensor 1', '0609', 0, 255, false],
  ['MONITOR_O2_B3S2', 'O2 Sensor Monitor Bank 3 - Sensor 2', '060A', 0, 255, false],
  ['MONITOR_O2_B3S3', 'O2 Sensor Monitor Bank 3 - Sensor 3', '060B', 0, 255, false],
  ['MONITOR_O2_B3S4', 'O2 Sensor Monitor Bank 3 - Sensor 4', '060C', 0, 255, false],
  ['MONITOR_O2_B4S1', 'O2 Sensor Monitor Bank 4 - Sensor 1', '060D', 0, 255, false],
  ['MONITOR_O2_B4S2', 'O2 Sensor Monitor Bank 4 - Sensor 2', '060E', 0, 255, false],
  ['MONITOR_O2_B4S3', 'O2 Sensor Monitor Bank 4 - Sensor 3', '060F', 0, 255, false],
  ['MONITOR_O2_B4S4', 'O2 Sensor Monitor Bank 4 - Sensor 4', '0610', 0, 255, false],
  ['MIDS_B', 'Supported MIDs [21-40]', '0620', 0, 255, false],
  ['MONITOR_CATALYST_B1', 'Catalyst Monitor Bank 1', '0621', 0, 255, false],
  ['MONITOR_CATALYST_B2', 'Catalyst Monitor Bank 2', '0622', 0, 255, false],
  ['MONITOR_CATALYST_B3', 'Catalyst Monitor Bank 3', '0623', 0, 255, false],
  ['MONITOR_CATALYST_B4', 'Catalyst Monitor Bank 4', '0624', 0, 255, false],
  ['MONITOR_EGR_B1', 'EGR Monitor Bank 1', '0631', 0, 255, false],
  ['MONITOR_EGR_B2', 'EGR Monitor Bank 2', '0632', 0, 255, false],
  ['MONITOR_EGR_B3', 'EGR Monitor Bank 3', '0633', 0, 255, false],
  ['MONITOR_EGR_B4', 'EGR Monitor Bank 4', '0634', 0, 255, false],
  ['MONITOR_VVT_B1', 'VVT Monitor Bank 1', '0635', 0, 255, false],
  ['MONITOR_VVT_B2', 'VVT Monitor Bank 2', '0636', 0, 255, false],
  ['MONITOR_VVT_B3', 'VVT Monitor Bank 3', '0637', 0, 255, false],
  ['MONITOR_VVT_B4', 'VVT Monitor Bank 4', '0638', 0, 255, false],
  ['MONITOR_EVAP_150', 'EVAP Monitor (Cap Off / 0.150")', '0639', 0, 255, false],
  ['MONITOR_EVAP_090', 'EVAP Monitor (0.090")', '063A', 0, 255, false],
  ['MONITOR_EVAP_040', 'EVAP Monitor (0.040")', '063B', 0, 255, false],
  ['MONITOR_EVAP_020', 'EVAP Monitor (0.020")', '063C', 0, 255, false],
  ['MONITOR_PURGE_FLOW', 'Purge Flow Monitor', '063D', 0, 255, false],
  ['MIDS_C', 'Supported MIDs [41-60]', '0640', 0, 255, false],
  ['MONITOR_O2_HEATER_B1S1', 'O2 Sensor Heater Monitor Bank 1 - Sensor 1', '0641', 0, 255, false],
  ['MONITOR_O2_HEATER_B1S2', 'O2 Sensor Heater Monitor Bank 1 - Sensor 2', '0642', 0, 255, false],
  ['MONITOR_O2_HEATER_B1S3', 'O2 Sensor Heater Monitor Bank 1 - Sensor 3', '0643', 0, 255, false],
  ['MONITOR_O2_HEATER_B1S4', 'O2 Sensor Heater Monitor Bank 1 - Sensor 4', '0644', 0, 255, false],
  ['MONITOR_O2_HEATER_B2S1', 'O2 Sensor Heater Monitor Bank 2 - Sensor 1', '0645', 0, 255, false],
  ['MONITOR_O2_HEATER_B2S2', 'O2 Sensor Heater Monitor Bank 2 - Sensor 2', '0646', 0, 255, false],
  ['MONITOR_O2_HEATER_B2S3', 'O2 Sensor Heater Monitor Bank 2 - Sensor 3', '0647', 0, 255, false],
  ['MONITOR_O2_HEATER_B2S4', 'O2 Sensor Heater Monitor Bank 2 - Sensor 4', '0648', 0, 255, false],
  ['MONITOR_O2_HEATER_B3S1', 'O2 Sensor Heater Monitor Bank 3 - Sensor 1', '0649', 0, 255, false],
  ['MONITOR_O2_HEATER_B3S2', 'O2 Sensor Heater Monitor Bank 3 - Sensor 2', '064A', 0, 255, false],
  ['MONITOR_O2_HEATER_B3S3', 'O2 Sensor Heater Monitor Bank 3 - Sensor 3', '064B', 0, 255, false],
  ['MONITOR_O2_HEATER_B3S4', 'O2 Sensor Heater Monitor Bank 3 - Sensor 4', '064C', 0, 255, false],
  ['MONITOR_O2_HEATER_B4S1', 'O2 Sensor Heater Monitor Bank 4 - Sensor 1', '064D', 0, 255, false],
  ['MONITOR_O2_HEATER_B4S2', 'O2 Sensor Heater Monitor Bank 4 - Sensor 2', '064E', 0, 255, false],
  ['MONITOR_O2_HEATER_B4S3', 'O2 Sensor Heater Monitor Bank 4 - Sensor 3', '064F', 0, 255, false],
  ['MONITOR_O2_HEATER_B4S4', 'O2 Sensor Heater Monitor Bank 4 - Sensor 4', '0650', 0, 255, false],
  ['MIDS_D', 'Supported MIDs [61-80]', '0660', 0, 255, false],
  ['MONITOR_HEATED_CATALYST_B1', 'Heated Catalyst Monitor Bank 1', '0661', 0, 255, false],
  ['MONITOR_HEATED_CATALYST_B2', 'Heated Catalyst Monitor Bank 2', '0662', 0, 255, false],
  ['MONITOR_HEATED_CATALYST_B3', 'Heated Catalyst Monitor Bank 3', '0663', 0, 255, false],
  ['MONITOR_HEATED_CATALYST_B4', 'Heated Catalyst Monitor Bank 4', '0664', 0, 255, false],
  ['MONITOR_SECONDARY_AIR_1', 'Secondary Air Monitor 1', '0671', 0, 255, false],
  ['MONITOR_SECONDARY_AIR_2', 'Secondary Air Monitor 2', '0672', 0, 255, false],
  ['MONITOR_SECONDARY_AIR_3', 'Secondary Air Monitor 3', '0673', 0, 255, false],
  ['MONITOR_SECONDARY_AIR_4', 'Secondary Air Monitor 4', '0674', 0, 255, false],
  ['MIDS_E', 'Supported MIDs [81-A0]', '0680', 0, 255, false],
  ['MONITOR_FUEL_SYSTEM_B1', 'Fuel System Monitor Bank 1', '0681', 0, 255, false],
  ['MONITOR_FUEL_SYSTEM_B2', 'Fuel System Monitor Bank 2', '0682', 0, 255, false],
  ['MONITOR_FUEL_SYSTEM_B3', 'Fuel System Monitor Bank 3', '0683', 0, 255, false],
  ['MONITOR_FUEL_SYSTEM_B4', 'Fuel System Monitor Bank 4', '0684', 0, 255, false],
  ['MONITOR_BOOST_PRESSURE_B1', 'Boost Pressure Control Monitor Bank 1', '0685', 0, 255, false],
  ['MONITOR_BOOST_PRESSURE_B2', 'Boost Pressure Control Monitor Bank 1', '0686', 0, 255, false],
  ['MONITOR_NOX_ABSORBER_B1', 'NOx Absorber Monitor Bank 1', '0690', 0, 255, false],
  ['MONITOR_NOX_ABSORBER_B2', 'NOx Absorber Monitor Bank 2', '0691', 0, 255, false],
  ['MONITOR_NOX_CATALYST_B1', 'NOx Catalyst Monitor Bank 1', '0698', 0, 255, false],
  ['MONITOR_NOX_CATALYST_B2', 'NOx Catalyst Monitor Bank 2', '0699', 0, 255, false],
  ['MIDS_F', 'Supported MIDs [A1-C0]', '06A0', 0, 255, false],
  ['MONITOR_MISFIRE_GENERAL', 'Misfire Monitor General Data', '06A1', 0, 255, false],
  ['MONITOR_MISFIRE_CYLINDER_1', 'Misfire Cylinder 1 Data', '06A2', 0, 255, false],
  ['MONITOR_MISFIRE_CYLINDER_2', 'Misfire Cylinder 2 Data', '06A3', 0, 255, false],
  ['MONITOR_MISFIRE_CYLINDER_3', 'Misfire Cylinder 3 Data', '06A4', 0, 255, false],
  ['MONITOR_MISFIRE_CYLINDER_4', 'Misfire Cylinder 4 Data', '06A5', 0, 255, false],
  ['MONITOR_MISFIRE_CYLINDER_5', 'Misfire Cylinder 5 Data', '06A6', 0, 255, false],
  ['MONITOR_MISFIRE_CYLINDER_6', 'Misfire Cylinder 6 Data', '06A7', 0, 255, false],
  ['MONITOR_MISFIRE_CYLINDER_7', 'Misfire Cylinder 7 Data', '06A8', 0, 255, false],
  ['MONITOR_MISFIRE_CYLINDER_8', 'Misfire Cylinder 8 Data', '06A9', 0, 255, false],
  ['MONITOR_MISFIRE_CYLINDER_9', 'Misfire Cylinder 9 Data', '06AA', 0, 255, false],
  ['MONITOR_MISFIRE_CYLINDER_10', 'Misfire Cylinder 10 Data', '06AB', 0, 255, false],
  ['MONITOR_MISFIRE_CYLINDER_11', 'Misfire Cylinder 11 Data', '06AC', 0, 255, false],
  ['MONITOR_MISFIRE_CYLINDER_12', 'Misfire Cylinder 12 Data', '06AD', 0, 255, false],
  ['MONITOR_PM_FILTER_B1', 'PM Filter Monitor Bank 1', '06B0', 0, 255, false],
  ['MONITOR_PM_FILTER_B2', 'PM Filter Monitor Bank 2', '06B1', 0, 255, false],
  ['GET_CURRENT_DTC', 'Get DTCs from the current/last driving cycle', '07', 0, 255, false],
  ['PIDS_9A', 'Supported PIDs [01-20]', '0900', 7, 255, true],
  ['VIN_MESSAGE_COUNT', 'VIN Message Count', '0901', 3, 2, true],
  ['VIN', 'Vehicle Identification Number', '0902', 22, 2, true],
  ['CALIBRATION_ID_MESSAGE_COUNT', 'Calibration ID message count for PID 04', '0903', 3, 255, true],
  ['CALIBRATION_ID', 'Calibration ID', '0904', 18, 255, true],
  ['CVN_MESSAGE_COUNT', 'CVN Message Count for PID 06', '0905', 3, 255, true],
  ['CVN', 'Calibration Verification Numbers', '0906', 10, 255, true],
  ['ELM_VERSION', 'ELM327 version string', 'ATI', 0, 1, false],
  ['ELM_VOLTAGE', 'Voltage detected by OBD-II adapter', 'ATRV', 0, 1, false],
];

function get(name: string): OBDCommand {
  const cmd = commandByName(name);
  assert.ok(cmd, `missing ${name}`);
  return cmd;
}

/** The bits of hex text, most significant first. */
function bitsOf(hex: string): boolean[] {
  return [...hex].flatMap((digit) => [...parseInt(digit, 16).toString(2).padStart(4, '0')].map((b) => b === '1'));
}

describe('command tables', () => {
  it('has every python-OBD 0.7.3 command with its request, length, description, ECU filter and fast flag', () => {
    assert.equal(PYTHON_OBD_COMMANDS.length, 292);
    for (const [name, desc, request, bytes, ecu, fast] of PYTHON_OBD_COMMANDS) {
      const cmd = get(name);
      assert.deepEqual(
        { name: cmd.name, desc: cmd.desc, command: cmd.command, bytes: cmd.bytes, ecu: cmd.ecu, fast: cmd.fast, header: cmd.header },
        { name, desc, command: request, bytes, ecu, fast, header: '7E0' },
      );
    }
  });

  it('has unique names and unique requests', () => {
    const names = new Set(allCommands.map((c) => c.name));
    const requests = new Set(allCommands.map((c) => c.command));
    assert.equal(names.size, allCommands.length);
    assert.equal(requests.size, allCommands.length);
  });

  it('writes every request as upper-case hex (or an AT command) and names in upper snake case', () => {
    for (const cmd of allCommands) {
      assert.match(cmd.command, /^([0-9A-F]{2,4}|AT[A-Z]+)$/, cmd.name);
      assert.match(cmd.name, /^[A-Z][A-Z0-9_]*$/);
      assert.equal(cmd.header, '7E0');
      assert.ok(Object.isFrozen(cmd));
    }
  });

  it('adds the J1979 PIDs python-OBD lacks, with their mode 02 twins, and mode 0A', () => {
    const expected: Array<[string, string, number]> = [
      ['PIDS_D', '0160', 6],
      ['DEMAND_TORQUE', '0161', 3],
      ['ACTUAL_TORQUE', '0162', 3],
      ['REFERENCE_TORQUE', '0163', 4],
      ['ENGINE_PERCENT_TORQUE_DATA', '0164', 7],
      ['AUX_IO', '0165', 4],
      ['MAF_SENSOR_AB', '0166', 7],
      ['COOLANT_TEMP_12', '0167', 5],
      ['INTAKE_TEMP_SENSORS', '0168', 9],
      ['DPF_TEMP', '017C', 11],
      ['PIDS_E', '0180', 6],
      ['NOX_SENSOR', '0183', 11],
      ['THROTTLE_POS_G', '018D', 3],
      ['PIDS_F', '01A0', 6],
      ['CYLINDER_FUEL_RATE', '01A2', 4],
      ['TRANSMISSION_ACTUAL_GEAR', '01A4', 6],
      ['ODOMETER', '01A6', 6],
      ['PIDS_G', '01C0', 6],
      ['DTC_ODOMETER', '02A6', 6],
      ['GET_PERMANENT_DTC', '0A', 0],
      ['ECU_NAME', '090A', 0],
      ['PERF_TRACKING_SPARK', '0908', 0],
      ['PERF_TRACKING_COMPRESSION', '090B', 0],
    ];
    for (const [name, request, bytes] of expected) {
      const cmd = get(name);
      assert.equal(cmd.command, request, name);
      assert.equal(cmd.bytes, bytes, name);
    }
    assert.equal(get('ODOMETER').ecu, 2);
    assert.equal(get('GET_PERMANENT_DTC').ecu, 255);
    assert.equal(get('DTC_ODOMETER').desc, 'DTC Odometer');
  });

  it('looks names up case-sensitively', () => {
    assert.equal(get('RPM').command, '010C');
    assert.equal(commandByName('rpm'), undefined);
    assert.equal(commandByName('toString'), undefined);
    assert.equal(commandByName(''), undefined);
  });

  it('finds every service 01, 02, 06 and 09 command by its own service and PID', () => {
    for (const cmd of allCommands) {
      const mode = commandMode(cmd);
      const pid = commandPid(cmd);
      if (mode === null || pid === null) continue;
      assert.equal(commandByModePid(mode, pid), cmd, cmd.name);
    }
    assert.equal(commandByModePid(1, 0x0c)?.name, 'RPM');
    assert.equal(commandByModePid(2, 0x0c)?.name, 'DTC_RPM');
    assert.equal(commandByModePid(6, 0x39)?.name, 'MONITOR_EVAP_150');
    assert.equal(commandByModePid(9, 0x02)?.name, 'VIN');
    assert.equal(commandByModePid(6, 0x11), undefined); // reserved MID
    assert.equal(commandByModePid(1, 0x95), undefined); // not defined
    assert.equal(commandByModePid(1, -1), undefined);
    assert.equal(commandByModePid(1, 1.5), undefined);
    assert.equal(commandByModePid(3, 0), undefined); // services without PIDs go by name
  });

  it('reads service and PID from the request', () => {
    assert.equal(commandMode(get('RPM')), 1);
    assert.equal(commandPid(get('RPM')), 0x0c);
    assert.equal(commandMode(get('GET_DTC')), 3);
    assert.equal(commandPid(get('GET_DTC')), null);
    assert.equal(commandMode(get('ELM_VOLTAGE')), null);
    assert.equal(commandPid(get('ELM_VOLTAGE')), null);
  });

  it('lists the discovery bitmaps in python-OBD order, without service 02', () => {
    assert.deepEqual(
      pidBitmapCommands.map((c) => c.name),
      [
        'PIDS_A',
        'PIDS_B',
        'PIDS_C',
        'PIDS_D',
        'PIDS_E',
        'PIDS_F',
        'PIDS_G',
        'MIDS_A',
        'MIDS_B',
        'MIDS_C',
        'MIDS_D',
        'MIDS_E',
        'MIDS_F',
        'PIDS_9A',
      ],
    );
  });

  it('has python-OBD base commands', () => {
    assert.deepEqual(
      baseCommands.map((c) => c.name),
      ['PIDS_A', 'PIDS_9A', 'MIDS_A', 'GET_DTC', 'CLEAR_DTC', 'GET_CURRENT_DTC', 'ELM_VERSION', 'ELM_VOLTAGE'],
    );
  });
});

describe('supportedFromBitmap', () => {
  it('declares the service 01 PIDs of the set bits, and their service 02 twins', () => {
    // BE 1F A8 13: PIDs 01 03 04 05 06 07 | 0C 0D 0E 0F 10 | 11 13 15 | 1C 1F 20
    const found = supportedFromBitmap(get('PIDS_A'), bitsOf('BE1FA813')).map((c) => c.command);
    const pids = ['01', '03', '04', '05', '06', '07', '0C', '0D', '0E', '0F', '10', '11', '13', '15', '1C', '1F', '20'];
    assert.deepEqual(new Set(found), new Set(pids.flatMap((p) => [`01${p}`, `02${p}`])));
  });

  it('skips MIDs with no command and chains to the next bitmap', () => {
    const bits = new Array<boolean>(32).fill(false);
    bits[0] = true; // MID 01
    bits[16] = true; // MID 11: reserved
    bits[31] = true; // MID 20: MIDS_B
    assert.deepEqual(
      supportedFromBitmap(get('MIDS_A'), bits).map((c) => c.name),
      ['MONITOR_O2_B1S1', 'MIDS_B'],
    );
  });

  it('declares PIDS_D from bit 0x60 of PIDS_C, beyond python-OBD', () => {
    const bits = new Array<boolean>(32).fill(false);
    bits[31] = true;
    assert.deepEqual(
      supportedFromBitmap(get('PIDS_C'), bits).map((c) => c.name),
      ['PIDS_D', 'DTC_PIDS_D'],
    );
  });

  it('reads service 09 bitmaps without a service 02 twin', () => {
    // 55 40 00 00 00: PIDs 02 04 06 08 | 0A (the fifth byte is python-OBD's padding to 7 bytes)
    const names = supportedFromBitmap(get('PIDS_9A'), bitsOf('5540000000')).map((c) => c.name);
    assert.deepEqual(names, ['VIN', 'CALIBRATION_ID', 'CVN', 'PERF_TRACKING_SPARK', 'ECU_NAME']);
  });

  it('gives nothing for a command without a PID or an all-clear bitmap', () => {
    assert.deepEqual(supportedFromBitmap(get('GET_DTC'), [true, true]), []);
    assert.deepEqual(supportedFromBitmap(get('PIDS_A'), new Array(32).fill(false)), []);
  });
});
