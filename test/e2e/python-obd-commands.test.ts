/**
 * Every python-OBD 0.7.3 command answers through the reference's `query` event with a value and
 * python-OBD's unit name, on the simulator's test-bench car (`connection.sim.car: full`), which
 * declares every PID, monitor and info type. The expected units come
 * from python-OBD's own tables, not from our decoders: each command's decoder as listed in its
 * obd/commands.py, and that decoder's unit (obd/decoders.py, obd/UnitsAndScaling.py; pint's
 * names, "lph" and "gps" as python-OBD defines them).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Socket } from 'socket.io-client';
import type { Gateway } from '../../src/gateway.js';
import { serveSimulator } from '../../src/sim/serve.js';
import { connect, request, startGateway } from '../helpers/gateway.js';

/**
 * [name, unit of its python-OBD decoder]; null: the decoder returns nothing (drop). The mode 09
 * commands python-OBD 0.7.3 has commented out (PERF_TRACKING_*, ECU_NAME*) are not in it.
 */
const PYTHON_OBD_UNITS: ReadonlyArray<readonly [string, string | null]> = [
  ['PIDS_A', "<class 'obd.utils.BitArray'>"], // pid
  ['STATUS', "<class 'obd.OBDResponse.Status'>"], // status
  ['FREEZE_DTC', "<class 'tuple'>"], // single_dtc
  ['FUEL_STATUS', "<class 'tuple'>"], // fuel_status
  ['ENGINE_LOAD', 'percent'], // percent
  ['COOLANT_TEMP', 'degree_Celsius'], // temp
  ['SHORT_FUEL_TRIM_1', 'percent'], // percent_centered
  ['LONG_FUEL_TRIM_1', 'percent'], // percent_centered
  ['SHORT_FUEL_TRIM_2', 'percent'], // percent_centered
  ['LONG_FUEL_TRIM_2', 'percent'], // percent_centered
  ['FUEL_PRESSURE', 'kilopascal'], // fuel_pressure
  ['INTAKE_PRESSURE', 'kilopascal'], // pressure
  ['RPM', 'revolutions_per_minute'], // uas(0x07)
  ['SPEED', 'kilometer_per_hour'], // uas(0x09)
  ['TIMING_ADVANCE', 'degree'], // timing_advance
  ['INTAKE_TEMP', 'degree_Celsius'], // temp
  ['MAF', 'gps'], // uas(0x27)
  ['THROTTLE_POS', 'percent'], // percent
  ['AIR_STATUS', "<class 'str'>"], // air_status
  ['O2_SENSORS', "<class 'tuple'>"], // o
  ['O2_B1S1', 'volt'], // sensor_voltage
  ['O2_B1S2', 'volt'], // sensor_voltage
  ['O2_B1S3', 'volt'], // sensor_voltage
  ['O2_B1S4', 'volt'], // sensor_voltage
  ['O2_B2S1', 'volt'], // sensor_voltage
  ['O2_B2S2', 'volt'], // sensor_voltage
  ['O2_B2S3', 'volt'], // sensor_voltage
  ['O2_B2S4', 'volt'], // sensor_voltage
  ['OBD_COMPLIANCE', "<class 'str'>"], // obd_compliance
  ['O2_SENSORS_ALT', "<class 'tuple'>"], // o
  ['AUX_INPUT_STATUS', "<class 'bool'>"], // aux_input_status
  ['RUN_TIME', 'second'], // uas(0x12)
  ['PIDS_B', "<class 'obd.utils.BitArray'>"], // pid
  ['DISTANCE_W_MIL', 'kilometer'], // uas(0x25)
  ['FUEL_RAIL_PRESSURE_VAC', 'kilopascal'], // uas(0x19)
  ['FUEL_RAIL_PRESSURE_DIRECT', 'kilopascal'], // uas(0x1B)
  ['O2_S1_WR_VOLTAGE', 'volt'], // sensor_voltage_big
  ['O2_S2_WR_VOLTAGE', 'volt'], // sensor_voltage_big
  ['O2_S3_WR_VOLTAGE', 'volt'], // sensor_voltage_big
  ['O2_S4_WR_VOLTAGE', 'volt'], // sensor_voltage_big
  ['O2_S5_WR_VOLTAGE', 'volt'], // sensor_voltage_big
  ['O2_S6_WR_VOLTAGE', 'volt'], // sensor_voltage_big
  ['O2_S7_WR_VOLTAGE', 'volt'], // sensor_voltage_big
  ['O2_S8_WR_VOLTAGE', 'volt'], // sensor_voltage_big
  ['COMMANDED_EGR', 'percent'], // percent
  ['EGR_ERROR', 'percent'], // percent_centered
  ['EVAPORATIVE_PURGE', 'percent'], // percent
  ['FUEL_LEVEL', 'percent'], // percent
  ['WARMUPS_SINCE_DTC_CLEAR', 'count'], // uas(0x01)
  ['DISTANCE_SINCE_DTC_CLEAR', 'kilometer'], // uas(0x25)
  ['EVAP_VAPOR_PRESSURE', 'pascal'], // evap_pressure
  ['BAROMETRIC_PRESSURE', 'kilopascal'], // pressure
  ['O2_S1_WR_CURRENT', 'milliampere'], // current_centered
  ['O2_S2_WR_CURRENT', 'milliampere'], // current_centered
  ['O2_S3_WR_CURRENT', 'milliampere'], // current_centered
  ['O2_S4_WR_CURRENT', 'milliampere'], // current_centered
  ['O2_S5_WR_CURRENT', 'milliampere'], // current_centered
  ['O2_S6_WR_CURRENT', 'milliampere'], // current_centered
  ['O2_S7_WR_CURRENT', 'milliampere'], // current_centered
  ['O2_S8_WR_CURRENT', 'milliampere'], // current_centered
  ['CATALYST_TEMP_B1S1', 'degree_Celsius'], // uas(0x16)
  ['CATALYST_TEMP_B2S1', 'degree_Celsius'], // uas(0x16)
  ['CATALYST_TEMP_B1S2', 'degree_Celsius'], // uas(0x16)
  ['CATALYST_TEMP_B2S2', 'degree_Celsius'], // uas(0x16)
  ['PIDS_C', "<class 'obd.utils.BitArray'>"], // pid
  ['STATUS_DRIVE_CYCLE', "<class 'obd.OBDResponse.Status'>"], // status
  ['CONTROL_MODULE_VOLTAGE', 'volt'], // uas(0x0B)
  ['ABSOLUTE_LOAD', 'percent'], // absolute_load
  ['COMMANDED_EQUIV_RATIO', 'ratio'], // uas(0x1E)
  ['RELATIVE_THROTTLE_POS', 'percent'], // percent
  ['AMBIANT_AIR_TEMP', 'degree_Celsius'], // temp
  ['THROTTLE_POS_B', 'percent'], // percent
  ['THROTTLE_POS_C', 'percent'], // percent
  ['ACCELERATOR_POS_D', 'percent'], // percent
  ['ACCELERATOR_POS_E', 'percent'], // percent
  ['ACCELERATOR_POS_F', 'percent'], // percent
  ['THROTTLE_ACTUATOR', 'percent'], // percent
  ['RUN_TIME_MIL', 'minute'], // uas(0x34)
  ['TIME_SINCE_DTC_CLEARED', 'minute'], // uas(0x34)
  ['MAX_VALUES', null], // drop
  ['MAX_MAF', 'gps'], // max_maf
  ['FUEL_TYPE', "<class 'str'>"], // fuel_type
  ['ETHANOL_PERCENT', 'percent'], // percent
  ['EVAP_VAPOR_PRESSURE_ABS', 'kilopascal'], // abs_evap_pressure
  ['EVAP_VAPOR_PRESSURE_ALT', 'pascal'], // evap_pressure_alt
  ['SHORT_O2_TRIM_B1', 'percent'], // percent_centered
  ['LONG_O2_TRIM_B1', 'percent'], // percent_centered
  ['SHORT_O2_TRIM_B2', 'percent'], // percent_centered
  ['LONG_O2_TRIM_B2', 'percent'], // percent_centered
  ['FUEL_RAIL_PRESSURE_ABS', 'kilopascal'], // uas(0x1B)
  ['RELATIVE_ACCEL_POS', 'percent'], // percent
  ['HYBRID_BATTERY_REMAINING', 'percent'], // percent
  ['OIL_TEMP', 'degree_Celsius'], // temp
  ['FUEL_INJECT_TIMING', 'degree'], // inject_timing
  ['FUEL_RATE', 'lph'], // fuel_rate
  ['EMISSION_REQ', null], // drop
  ['GET_DTC', "<class 'list'>"], // dtc
  ['CLEAR_DTC', null], // drop
  ['MIDS_A', "<class 'obd.utils.BitArray'>"], // pid
  ['MONITOR_O2_B1S1', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_B1S2', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_B1S3', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_B1S4', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_B2S1', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_B2S2', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_B2S3', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_B2S4', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_B3S1', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_B3S2', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_B3S3', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_B3S4', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_B4S1', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_B4S2', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_B4S3', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_B4S4', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MIDS_B', "<class 'obd.utils.BitArray'>"], // pid
  ['MONITOR_CATALYST_B1', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_CATALYST_B2', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_CATALYST_B3', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_CATALYST_B4', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_EGR_B1', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_EGR_B2', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_EGR_B3', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_EGR_B4', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_VVT_B1', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_VVT_B2', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_VVT_B3', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_VVT_B4', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_EVAP_150', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_EVAP_090', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_EVAP_040', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_EVAP_020', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_PURGE_FLOW', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MIDS_C', "<class 'obd.utils.BitArray'>"], // pid
  ['MONITOR_O2_HEATER_B1S1', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_HEATER_B1S2', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_HEATER_B1S3', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_HEATER_B1S4', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_HEATER_B2S1', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_HEATER_B2S2', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_HEATER_B2S3', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_HEATER_B2S4', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_HEATER_B3S1', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_HEATER_B3S2', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_HEATER_B3S3', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_HEATER_B3S4', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_HEATER_B4S1', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_HEATER_B4S2', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_HEATER_B4S3', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_O2_HEATER_B4S4', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MIDS_D', "<class 'obd.utils.BitArray'>"], // pid
  ['MONITOR_HEATED_CATALYST_B1', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_HEATED_CATALYST_B2', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_HEATED_CATALYST_B3', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_HEATED_CATALYST_B4', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_SECONDARY_AIR_1', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_SECONDARY_AIR_2', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_SECONDARY_AIR_3', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_SECONDARY_AIR_4', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MIDS_E', "<class 'obd.utils.BitArray'>"], // pid
  ['MONITOR_FUEL_SYSTEM_B1', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_FUEL_SYSTEM_B2', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_FUEL_SYSTEM_B3', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_FUEL_SYSTEM_B4', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_BOOST_PRESSURE_B1', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_BOOST_PRESSURE_B2', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_NOX_ABSORBER_B1', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_NOX_ABSORBER_B2', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_NOX_CATALYST_B1', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_NOX_CATALYST_B2', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MIDS_F', "<class 'obd.utils.BitArray'>"], // pid
  ['MONITOR_MISFIRE_GENERAL', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_MISFIRE_CYLINDER_1', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_MISFIRE_CYLINDER_2', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_MISFIRE_CYLINDER_3', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_MISFIRE_CYLINDER_4', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_MISFIRE_CYLINDER_5', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_MISFIRE_CYLINDER_6', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_MISFIRE_CYLINDER_7', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_MISFIRE_CYLINDER_8', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_MISFIRE_CYLINDER_9', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_MISFIRE_CYLINDER_10', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_MISFIRE_CYLINDER_11', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_MISFIRE_CYLINDER_12', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_PM_FILTER_B1', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['MONITOR_PM_FILTER_B2', "<class 'obd.OBDResponse.Monitor'>"], // monitor
  ['GET_CURRENT_DTC', "<class 'list'>"], // dtc
  ['PIDS_9A', "<class 'obd.utils.BitArray'>"], // pid
  ['VIN_MESSAGE_COUNT', 'count'], // count
  ['VIN', "<class 'bytearray'>"], // encoded_string(17)
  ['CALIBRATION_ID_MESSAGE_COUNT', 'count'], // count
  ['CALIBRATION_ID', "<class 'bytearray'>"], // encoded_string(16)
  ['CVN_MESSAGE_COUNT', 'count'], // count
  ['CVN', "<class 'str'>"], // cvn
  ['ELM_VERSION', "<class 'str'>"], // raw_string
  ['ELM_VOLTAGE', 'volt'], // elm_voltage
];

/**
 * python-OBD builds service 02 from service 01: "DTC_" + name, same decoder, except the PID
 * bitmaps, which decode to nothing there (drop).
 */
function withFreezeFrame(): Map<string, string | null> {
  const units = new Map<string, string | null>(PYTHON_OBD_UNITS);
  const mode01 = PYTHON_OBD_UNITS.slice(
    0,
    PYTHON_OBD_UNITS.findIndex(([name]) => name === 'GET_DTC'),
  );
  for (const [name, unit] of mode01) units.set(`DTC_${name}`, name.startsWith('PIDS_') ? null : unit);
  return units;
}

interface WireResponse {
  value: unknown;
  unit: string | null;
}

describe("every python-OBD command answers on the full simulated car with a value and python-OBD's unit", () => {
  let gateway: Gateway;
  let client: Socket;
  before(async () => {
    gateway = await startGateway('connection: { port: sim, sim: { car: full } }\n');
    client = await connect(gateway);
  });
  after(async () => {
    client.disconnect();
    await gateway.stop();
  });

  it('the table holds every python-OBD command', () => {
    const units = withFreezeFrame();
    // python-OBD 0.7.3: 196 commands in its tables, plus the 96 service 02 twins of 0100-015F.
    assert.equal(units.size, 196 + 96);
  });

  it('query answers each one', async () => {
    const units = withFreezeFrame();
    const encodings = await request<Array<{ name: string }>>(client, 'supported_commands');
    const supported = new Set(encodings.map((c) => c.name));
    // Every command python-OBD has is declared, the PID bitmaps included, but for two that python-OBD
    // does not declare either: DTC_PIDS_A (no bitmap bit stands for PID 00) and CLEAR_DTC (refused
    // here, as allow_clear_dtc is off).
    const unsupported = [...units.keys()].filter((name) => name !== 'CLEAR_DTC' && name !== 'DTC_PIDS_A' && !supported.has(name));
    assert.deepEqual(unsupported, []);
    const asked = [...units.keys()].filter((name) => units.get(name) !== null);
    const wrong: string[] = [];
    for (const name of asked) {
      const response = await request<WireResponse | null>(client, 'query', name);
      if (response === null || response.value === null) wrong.push(`${name}: no value`);
      else if (response.unit !== units.get(name)) wrong.push(`${name}: unit ${response.unit}, python-OBD ${units.get(name)}`);
    }
    assert.deepEqual(wrong, []);
  });
});

describe('on a K-line car (ISO 9141-2) the full car answers every command it declares', () => {
  it("each declared python-OBD command has a value and python-OBD's unit; service 06 stays CAN-only", async () => {
    const adapter = await serveSimulator('tcp://127.0.0.1:0', { protocol: '3', car: 'full' });
    // Some 200 requests in a row over TCP: python-OBD's 100 ms reply timeout would make this
    // test depend on how busy the machine is, so it waits as long as a slow adapter may take.
    const gateway = await startGateway(`connection: { port: '${adapter.address}', timeout: 2s }\n`);
    const client = await connect(gateway);
    try {
      assert.equal(await request(client, 'protocol_name'), 'ISO 9141-2');
      const units = withFreezeFrame();
      const encodings = await request<Array<{ name: string; command: string }>>(client, 'supported_commands');
      const asked = encodings.filter((c) => units.get(c.name) !== undefined && units.get(c.name) !== null);
      // One legacy frame carries at most 7 bytes: longer PIDs (DPF_TEMP, the NOx sensors...) are not declared.
      assert.ok(asked.length >= 150, `${asked.length} declared`);
      assert.ok(!asked.some((c) => c.name === 'DPF_TEMP'), 'DPF_TEMP (9 data bytes) declared on a K-line');
      const wrong: string[] = [];
      for (const { name, command } of asked) {
        const response = await request<WireResponse | null>(client, 'query', name);
        // python-OBD asks service 06 on CAN only; elsewhere query has no value by design.
        if (command.startsWith('06')) {
          if (response !== null && name !== 'MIDS_A') wrong.push(`${name}: answered off CAN`);
        } else if (response === null || response.value === null) wrong.push(`${name}: no value`);
        else if (response.unit !== units.get(name)) wrong.push(`${name}: unit ${response.unit}, python-OBD ${units.get(name)}`);
      }
      assert.deepEqual(wrong, []);
    } finally {
      client.disconnect();
      await gateway.stop();
      await adapter.close();
    }
  });
});
