import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ECU } from '../../src/elm327/message.js';
import type { OBDCommand } from '../../src/obd/command.js';
import { allCommands, commandByName } from '../../src/obd/commands/index.js';
import { encodeCommand, encodeFrame, encodeMessage, encodeResponse } from '../../src/obd/encode.js';
import { canMessage, elmMessage, legacyMessage } from '../helpers/messages.js';

function get(name: string): OBDCommand {
  const cmd = commandByName(name);
  assert.ok(cmd);
  return cmd;
}

describe('encodeCommand', () => {
  it('matches the reference encoding of RPM byte for byte', () => {
    assert.equal(
      JSON.stringify(encodeCommand(get('RPM'))),
      '{"name":"RPM","desc":"Engine RPM","fast":true,"command":"010C","bytes":"4","ecu":2}',
    );
  });

  it('encodes DTC, monitor, service 09 and adapter commands with their masks', () => {
    assert.deepEqual(encodeCommand(get('GET_DTC')), {
      name: 'GET_DTC',
      desc: 'Get DTCs',
      fast: false,
      command: '03',
      bytes: '0',
      ecu: 255,
    });
    assert.deepEqual(encodeCommand(get('MONITOR_EVAP_150')), {
      name: 'MONITOR_EVAP_150',
      desc: 'EVAP Monitor (Cap Off / 0.150")',
      fast: false,
      command: '0639',
      bytes: '0',
      ecu: 255,
    });
    assert.deepEqual(encodeCommand(get('VIN')), {
      name: 'VIN',
      desc: 'Vehicle Identification Number',
      fast: true,
      command: '0902',
      bytes: '22',
      ecu: 2,
    });
    assert.deepEqual(encodeCommand(get('ELM_VOLTAGE')), {
      name: 'ELM_VOLTAGE',
      desc: 'Voltage detected by OBD-II adapter',
      fast: false,
      command: 'ATRV',
      bytes: '0',
      ecu: 1,
    });
  });

  it('builds each encoding once', () => {
    const rpm = get('RPM');
    assert.equal(encodeCommand(rpm), encodeCommand(rpm));
    assert.ok(Object.isFrozen(encodeCommand(rpm)));
  });

  it('works as an Array.map callback over every command', () => {
    const encoded = allCommands.map(encodeCommand);
    assert.equal(encoded.length, allCommands.length);
    for (const [i, e] of encoded.entries()) {
      assert.equal(e.name, allCommands[i]!.name);
      assert.equal(e.bytes, String(allCommands[i]!.bytes));
    }
  });
});

describe('encodeResponse', () => {
  it('carries value, command encoding, time and unit', () => {
    const rpm = get('RPM');
    const response = {
      command: rpm,
      messages: [canMessage('41 0C 1A F8')],
      value: 1726,
      unit: 'revolutions_per_minute',
      time: 1700000000123,
    };
    assert.deepEqual(encodeResponse(response), {
      value: 1726,
      command: { name: 'RPM', desc: 'Engine RPM', fast: true, command: '010C', bytes: '4', ecu: 2 },
      time: 1700000000123,
      unit: 'revolutions_per_minute',
    });
  });

  it('keeps null value and unit of a response without value', () => {
    const response = { command: get('SPEED'), messages: [], value: null, unit: null, time: 5 };
    assert.deepEqual(encodeResponse(response), { value: null, command: encodeCommand(get('SPEED')), time: 5, unit: null });
  });
});

describe('encodeMessage and encodeFrame', () => {
  it('encodes a CAN single frame message with python-OBD field names', () => {
    const message = canMessage('41 0C 1A F8');
    assert.deepEqual(encodeMessage(message), {
      data: [0x41, 0x0c, 0x1a, 0xf8],
      ecu: ECU.ENGINE,
      frames: [
        {
          rx_id: null,
          tx_id: 0x7e8,
          addr_mode: null,
          data: [0x41, 0x0c, 0x1a, 0xf8],
          data_len: 4,
          priority: null,
          raw: '7E8 04 41 0C 1A F8',
          seq_index: 0,
          type: 0,
        },
      ],
    });
  });

  it('numbers CAN frame types as python-OBD does (0x10 first, 0x20 consecutive)', () => {
    const frames = canMessage('49 02 01 31 47 4E 45 4B 31 33 5A 58 33 52 32 39 38 39 38 34').frames.map(encodeFrame);
    assert.deepEqual(
      frames.map((f) => f.type),
      [0x10, 0x20, 0x20],
    );
    assert.deepEqual(
      frames.map((f) => f.seq_index),
      [0, 1, 2],
    );
    assert.equal(frames[0]!.data_len, 20);
  });

  it('encodes legacy and adapter frames with a null type', () => {
    assert.equal(encodeFrame(legacyMessage('41 0D 32').frames[0]!).type, null);
    assert.deepEqual(encodeMessage(elmMessage('12.6V')), {
      data: [],
      ecu: ECU.UNKNOWN,
      frames: [
        { rx_id: null, tx_id: null, addr_mode: null, data: [], data_len: null, priority: null, raw: '12.6V', seq_index: 0, type: null },
      ],
    });
  });
});
