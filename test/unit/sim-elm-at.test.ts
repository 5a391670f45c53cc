import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { simHarness } from '../helpers/sim-harness.js';

describe('simulated ELM327: AT commands', () => {
  it('ATZ prints the version banner after two blank lines, and echo is on by default', () => {
    const sim = simHarness({}, []);
    assert.equal(sim.raw('ATZ'), 'ATZ\r\r\rELM327 v1.5\r\r>');
    assert.equal(sim.raw('ATI'), 'ATI\rELM327 v1.5\r\r>');
  });

  it('ATE0 is echoed once, then echo stays off', () => {
    const sim = simHarness({}, ['ATZ']);
    assert.equal(sim.raw('ATE0'), 'ATE0\rOK\r\r>');
    assert.equal(sim.raw('ATI'), 'ELM327 v1.5\r\r>');
    assert.equal(sim.raw('ATE1'), 'OK\r\r>');
    assert.equal(sim.raw('AT I'), 'AT I\rELM327 v1.5\r\r>');
  });

  it('commands are case-insensitive and spaces do not matter', () => {
    const sim = simHarness();
    assert.deepEqual(sim.send('at  h 1'), ['OK']);
    assert.match(sim.send('01 0c')[0], /^7E8 04 41 0C [0-9A-F]{2} [0-9A-F]{2}/);
  });

  it('ATL1 ends every line with CR LF', () => {
    const sim = simHarness();
    assert.equal(sim.raw('ATL1'), 'OK\r\n\r\n>');
    assert.equal(sim.raw('ATI'), 'ELM327 v1.5\r\n\r\n>');
  });

  it('ATS0 removes the spaces between bytes; ATS1 puts them back', () => {
    const sim = simHarness();
    sim.send('ATH1');
    assert.match(sim.send('0100')[0], /^7E8 06 41 00 ([0-9A-F]{2} ){4}AA$/);
    sim.send('ATS0');
    assert.match(sim.send('0100')[0], /^7E8064100[0-9A-F]{8}AA$/);
  });

  it('ATH1 shows the CAN id and PCI byte, with the frame padded to 8 bytes', () => {
    const sim = simHarness();
    const [plain] = sim.send('010D');
    assert.match(plain, /^41 0D [0-9A-F]{2}$/);
    sim.send('ATH1');
    const lines = sim.send('010D');
    assert.equal(lines.length, 2, 'engine and transmission both report speed');
    for (const line of lines) {
      const bytes = line.split(' ');
      assert.equal(bytes.length, 9, 'id + 8 data bytes');
      assert.equal(bytes[1], '03', 'single frame of 3 bytes');
      assert.deepEqual(bytes.slice(5), ['AA', 'AA', 'AA', 'AA']);
    }
    assert.deepEqual(
      lines.map((l) => l.slice(0, 3)),
      ['7E8', '7E9'],
    );
  });

  it('a lone CR repeats the last command', () => {
    const sim = simHarness();
    assert.deepEqual(sim.send('ATRV'), sim.send(''));
    assert.deepEqual(sim.send('0100'), sim.send(''));
  });

  it('unknown commands and bad hex answer "?"', () => {
    const sim = simHarness();
    for (const bad of ['ATXYZ', 'AT', 'HELLO', '01G0', 'ATSH12', 'ATE2', '0', '\x7F\x7F']) assert.deepEqual(sim.send(bad), ['?'], bad);
  });

  it('ATSP0: the first OBD request searches, then ATDP/ATDPN name the protocol found', () => {
    const sim = simHarness();
    assert.deepEqual(sim.send('ATSP0'), ['OK']);
    assert.deepEqual(sim.send('ATDP'), ['AUTO']);
    const first = sim.send('0100');
    assert.equal(first[0], 'SEARCHING...');
    assert.equal(first.length, 3, 'SEARCHING... then two ECUs');
    assert.deepEqual(sim.send('ATDPN'), ['A6']);
    assert.deepEqual(sim.send('ATDP'), ['AUTO, ISO 15765-4 (CAN 11/500)']);
    assert.notEqual(sim.send('0100')[0], 'SEARCHING...');
  });

  it('ATSP6 selects the protocol by hand: no search, ATDPN without the A', () => {
    const sim = simHarness();
    sim.send('ATSP6');
    assert.deepEqual(sim.send('ATDPN'), ['6']);
    assert.notEqual(sim.send('0100')[0], 'SEARCHING...');
    assert.deepEqual(sim.send('ATDP'), ['ISO 15765-4 (CAN 11/500)']);
  });

  it('ATRV reads the battery from the vehicle model: 12.6 V at start, charging later', () => {
    const sim = simHarness();
    assert.deepEqual(sim.send('ATRV'), ['12.6V']);
    sim.at(600);
    const [volts] = sim.send('ATRV');
    assert.match(volts, /^\d+\.\dV$/);
    assert.ok(Number.parseFloat(volts) >= 13.8 && Number.parseFloat(volts) <= 14.2, volts);
  });

  it('AT@1 and the settings that are accepted without effect answer like the chip', () => {
    const sim = simHarness();
    assert.deepEqual(sim.send('AT@1'), ['OBDII to RS232 Interpreter']);
    for (const command of ['ATAT0', 'ATAT2', 'ATST 32', 'ATCAF1', 'ATM0', 'ATPC', 'ATCFC1', 'ATIB10'])
      assert.ok(sim.send(command).length > 0, command);
    assert.deepEqual(sim.send('ATAT3'), ['?']);
  });

  it('ATD and ATWS restore the defaults (echo back on)', () => {
    const sim = simHarness();
    assert.equal(sim.raw('ATD'), 'OK\r\r>');
    assert.equal(sim.raw('ATI'), 'ATI\rELM327 v1.5\r\r>');
    sim.raw('ATE0');
    assert.equal(sim.raw('ATWS'), '\r\rELM327 v1.5\r\r>');
    assert.equal(sim.raw('ATI'), 'ATI\rELM327 v1.5\r\r>');
  });

  it('ATSH chooses which ECU a CAN request reaches', () => {
    const sim = simHarness();
    sim.send('ATH1');
    assert.deepEqual(
      sim.send('0100').map((l) => l.slice(0, 3)),
      ['7E8', '7E9'],
    );
    sim.send('ATSH7E0');
    assert.deepEqual(
      sim.send('0100').map((l) => l.slice(0, 3)),
      ['7E8'],
    );
    sim.send('ATSH 7E1');
    assert.deepEqual(
      sim.send('0100').map((l) => l.slice(0, 3)),
      ['7E9'],
    );
    sim.send('ATSH7E5');
    assert.deepEqual(sim.send('0100'), ['NO DATA']);
  });

  it('ATCRA keeps only answers from matching CAN ids (X is a wildcard)', () => {
    const sim = simHarness();
    sim.send('ATH1');
    sim.send('ATCRA7E9');
    assert.deepEqual(
      sim.send('0100').map((l) => l.slice(0, 3)),
      ['7E9'],
    );
    sim.send('ATCRA7EX');
    assert.equal(sim.send('0100').length, 2);
    sim.send('ATCRA');
    assert.equal(sim.send('0100').length, 2);
  });

  it('ATCAF0 shows the PCI byte and padding, and expects the host to send the PCI byte', () => {
    const sim = simHarness();
    sim.send('ATCAF0');
    sim.send('ATSH7E0');
    const [line] = sim.send('02010C');
    assert.match(line, /^04 41 0C [0-9A-F]{2} [0-9A-F]{2} AA AA AA$/);
  });

  it('ATLP answers OK with no prompt; the next byte wakes the chip with a warm start', () => {
    const sim = simHarness();
    assert.equal(sim.raw('ATLP'), 'OK\r');
    let woken = '';
    sim.elm.onOutput((chunk) => (woken += chunk.toString('latin1')));
    sim.elm.feed(' ');
    assert.equal(woken, '\r\rELM327 v1.5\r\r>');
    assert.equal(sim.raw('ATI'), 'ATI\rELM327 v1.5\r\r>', 'settings are back to defaults: echo on');
  });

  it('ATMA prints nothing from the quiet bus until a byte stops it with STOPPED', () => {
    const sim = simHarness();
    assert.equal(sim.raw('ATMA'), '');
    let after = '';
    sim.elm.onOutput((chunk) => (after += chunk.toString('latin1')));
    sim.elm.feed('x');
    assert.equal(after, 'STOPPED\r\r>');
    assert.deepEqual(sim.send('ATI'), ['ELM327 v1.5']);
  });

  it('rejects a line longer than the input buffer with "?"', () => {
    const sim = simHarness();
    assert.deepEqual(sim.send('01'.repeat(200)), ['?']);
    assert.deepEqual(sim.send('ATI'), ['ELM327 v1.5']);
  });
});
