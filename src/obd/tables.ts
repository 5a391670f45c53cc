/**
 * Text tables of SAE J1979 enumerations, worded as python-OBD 0.7.3 words them (obd/codes.py),
 * since clients compare these strings.
 */

/** PID 01 bit 3 of byte B: 0 spark, 1 compression. */
export const IGNITION_TYPE = ['spark', 'compression'] as const;

/** PID 03: one bit set per fuel system, bit n (from the least significant) picks entry n. */
export const FUEL_STATUS = [
  'Open loop due to insufficient engine temperature',
  'Closed loop, using oxygen sensor feedback to determine fuel mix',
  'Open loop due to engine load OR fuel cut due to deceleration',
  'Open loop due to system failure',
  'Closed loop, using at least one oxygen sensor but there is a fault in the feedback system',
] as const;

/** PID 12: one bit set, bit n picks entry n. */
export const AIR_STATUS = [
  'Upstream',
  'Downstream of catalytic converter',
  'From the outside atmosphere or off',
  'Pump commanded on for diagnostics',
] as const;

/** PID 1C: the byte is the index. */
export const OBD_COMPLIANCE = [
  'Undefined',
  'OBD-II as defined by the CARB',
  'OBD as defined by the EPA',
  'OBD and OBD-II',
  'OBD-I',
  'Not OBD compliant',
  'EOBD (Europe)',
  'EOBD and OBD-II',
  'EOBD and OBD',
  'EOBD, OBD and OBD II',
  'JOBD (Japan)',
  'JOBD and OBD II',
  'JOBD and EOBD',
  'JOBD, EOBD, and OBD II',
  'Reserved',
  'Reserved',
  'Reserved',
  'Engine Manufacturer Diagnostics (EMD)',
  'Engine Manufacturer Diagnostics Enhanced (EMD+)',
  'Heavy Duty On-Board Diagnostics (Child/Partial) (HD OBD-C)',
  'Heavy Duty On-Board Diagnostics (HD OBD)',
  'World Wide Harmonized OBD (WWH OBD)',
  'Reserved',
  'Heavy Duty Euro OBD Stage I without NOx control (HD EOBD-I)',
  'Heavy Duty Euro OBD Stage I with NOx control (HD EOBD-I N)',
  'Heavy Duty Euro OBD Stage II without NOx control (HD EOBD-II)',
  'Heavy Duty Euro OBD Stage II with NOx control (HD EOBD-II N)',
  'Reserved',
  'Brazil OBD Phase 1 (OBDBr-1)',
  'Brazil OBD Phase 2 (OBDBr-2)',
  'Korean OBD (KOBD)',
  'India OBD I (IOBD I)',
  'India OBD II (IOBD II)',
  'Heavy Duty Euro OBD Stage VI (HD EOBD-IV)',
] as const;

/** PID 51: the byte is the index. */
export const FUEL_TYPES = [
  'Not available',
  'Gasoline',
  'Methanol',
  'Ethanol',
  'Diesel',
  'LPG',
  'CNG',
  'Propane',
  'Electric',
  'Bifuel running Gasoline',
  'Bifuel running Methanol',
  'Bifuel running Ethanol',
  'Bifuel running LPG',
  'Bifuel running CNG',
  'Bifuel running Propane',
  'Bifuel running Electricity',
  'Bifuel running electric and combustion engine',
  'Hybrid gasoline',
  'Hybrid Ethanol',
  'Hybrid Diesel',
  'Hybrid Electric',
  'Hybrid running electric and combustion engine',
  'Hybrid Regenerative',
  'Bifuel running diesel',
] as const;

/** Mode 06 standard test ids: name and description. */
export const TEST_IDS: ReadonlyMap<number, readonly [name: string, desc: string]> = new Map([
  [0x01, ['RTL_THRESHOLD_VOLTAGE', 'Rich to lean sensor threshold voltage']],
  [0x02, ['LTR_THRESHOLD_VOLTAGE', 'Lean to rich sensor threshold voltage']],
  [0x03, ['LOW_VOLTAGE_SWITCH_TIME', 'Low sensor voltage for switch time calculation']],
  [0x04, ['HIGH_VOLTAGE_SWITCH_TIME', 'High sensor voltage for switch time calculation']],
  [0x05, ['RTL_SWITCH_TIME', 'Rich to lean sensor switch time']],
  [0x06, ['LTR_SWITCH_TIME', 'Lean to rich sensor switch time']],
  [0x07, ['MIN_VOLTAGE', 'Minimum sensor voltage for test cycle']],
  [0x08, ['MAX_VOLTAGE', 'Maximum sensor voltage for test cycle']],
  [0x09, ['TRANSITION_TIME', 'Time between sensor transitions']],
  [0x0a, ['SENSOR_PERIOD', 'Sensor period']],
  [0x0b, ['MISFIRE_AVERAGE', 'Average misfire counts for last ten driving cycles']],
  [0x0c, ['MISFIRE_COUNT', 'Misfire counts for last/current driving cycles']],
]);
