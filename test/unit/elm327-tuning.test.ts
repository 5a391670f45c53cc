/**
 * Adapter tuning from the config: AT AT / AT ST, STN11xx detection, the AT BRD / STBR baud-rate
 * handshake with its fallback, and headers off — against the simulated chip (which follows the
 * ELM327 and STN1100 datasheets) and a scripted adapter for replies the simulator never gives.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Elm327, type AdapterTuning, type Elm327Options } from '../../src/elm327/driver.js';
import { brdDivisor } from '../../src/elm327/startup.js';
import { commandByName } from '../../src/obd/commands/index.js';
import { ObdConnection } from '../../src/obd/connection.js';
import { SimulatedElm327, STN_FIRMWARE_ID, type SimulatorOptions } from '../../src/sim/elm.js';
import { SimTransport } from '../../src/sim/sim-transport.js';
import { ScriptedAdapter } from '../helpers/scripted-adapter.js';

const BASE: Elm327Options = { baudrate: 38400, protocol: 'auto', timeout: 300, checkVoltage: true, startLowPower: false };

/** Records what the host wrote to the simulated adapter. */
function recorded(transport: SimTransport): string[] {
  const writes: string[] = [];
  const write = transport.write.bind(transport);
  transport.write = (text: string) => {
    writes.push(text);
    write(text);
  };
  return writes;
}

async function connect(sim: SimulatorOptions, tuning: AdapterTuning, options: Partial<Elm327Options> = {}) {
  const transport = new SimTransport(sim);
  const writes = recorded(transport);
  const elm = new Elm327(transport, { ...BASE, tuning, ...options });
  await elm.connect();
  const obd = new ObdConnection(elm, { fast: true, allowClearDtc: false });
  await obd.loadSupportedCommands();
  return { transport, elm, obd, writes: () => writes.map((w) => w.replace(/\r$/, '')) };
}

async function value(obd: ObdConnection, name: string): Promise<unknown> {
  return (await obd.query(commandByName(name)!)).response.value;
}

describe('adapter timing and chip detection', () => {
  it('sends AT AT and AT ST (4 ms steps) from the config; the adapter defaults send nothing', async () => {
    const tuned = await connect({}, { adaptiveTiming: 2, responseTimeoutMs: 100 });
    assert.ok(tuned.writes().includes('ATAT2'));
    assert.ok(tuned.writes().includes('ATST19'), '100 ms / 4 ms = 25 = 0x19');
    await tuned.obd.close();
    const plain = await connect({}, { adaptiveTiming: 1, responseTimeoutMs: null });
    assert.ok(!plain.writes().some((w) => w.startsWith('ATAT') || w.startsWith('ATST')));
    await plain.obd.close();
  });

  it('tells an STN11xx (OBDLink) from an ELM327 by STI', async () => {
    const stn = await connect({ chip: 'stn1110' }, {});
    assert.equal(stn.elm.stn, STN_FIRMWARE_ID);
    assert.equal(stn.elm.version, 'ELM327 v1.4b', 'an STN emulates an ELM327 v1.4b to ATI');
    await stn.obd.close();
    const elm = await connect({}, {});
    assert.equal(elm.elm.stn, null, 'an ELM327 answers "?" to STI');
    assert.ok(elm.writes().includes('STI'));
    await elm.obd.close();
  });

  it("without tuning the start-up is exactly python-OBD's (no STI)", async () => {
    const transport = new ScriptedAdapter();
    const elm = new Elm327(transport, { ...BASE, baudrate: 'auto' });
    await elm.connect();
    assert.ok(!transport.commands.includes('STI'));
    await elm.close();
  });
});

describe('baud-rate upgrade (AT BRD, STBR)', () => {
  it('the AT BRD divisor divides 4 MHz and must come within 3 %', () => {
    assert.equal(brdDivisor(115200), 35); // 4000 / 35 = 114.3 kbaud, 0.8 % low
    assert.equal(brdDivisor(500000), 8);
    assert.equal(brdDivisor(230400), 17); // 235.3 kbaud, 2.1 % high
    assert.equal(brdDivisor(57600), 69);
    assert.equal(brdDivisor(3_000_000), null); // divisor 1.33: nothing near
  });

  it('an ELM327 switches to 115200 with AT BRD 23 and keeps answering there', async () => {
    const { transport, elm, obd, writes } = await connect({}, { upgradeBaudrate: 115200 });
    assert.ok(writes().includes('ATBRD23'));
    assert.equal(elm.baudRate, 115200);
    assert.equal(transport.elm.baudRate, Math.round(4_000_000 / 35));
    assert.equal(elm.status, 'Car Connected');
    assert.equal(typeof (await value(obd, 'RPM')), 'number');
    await obd.close();
  });

  it('when the link cannot carry the new rate, both ends fall back to the old one', async () => {
    const { transport, elm, obd, writes } = await connect({ maxLinkBaud: 57600 }, { upgradeBaudrate: 115200 });
    assert.ok(writes().includes('ATBRD23'));
    assert.ok(!writes().some((w) => w === ''), 'no CR confirms a garbled ID');
    assert.equal(elm.baudRate, 38400);
    assert.equal(transport.elm.baudRate, null, 'the adapter went back to its power-on rate');
    assert.equal(elm.status, 'Car Connected');
    assert.equal(typeof (await value(obd, 'RPM')), 'number');
    await obd.close();
  });

  it('auto tries the fastest rates first and keeps the first that works', async () => {
    const { elm, obd, writes } = await connect({ maxLinkBaud: 250_000 }, { upgradeBaudrate: 'auto' });
    assert.deepEqual(
      writes().filter((w) => w.startsWith('ATBRD')),
      ['ATBRD08', 'ATBRD11'],
      '500000 fails on this link; 230400 (4000/17 = 235.3 kbaud) works',
    );
    assert.equal(elm.baudRate, 230400);
    assert.equal(typeof (await value(obd, 'SPEED')), 'number');
    await obd.close();
  });

  it('an STN11xx switches with STBR, to 2 Mbaud when asked for auto', async () => {
    const { elm, obd, writes } = await connect({ chip: 'stn1110' }, { upgradeBaudrate: 'auto' });
    assert.ok(writes().includes('STBR2000000'));
    assert.ok(!writes().some((w) => w.startsWith('ATBRD')));
    assert.equal(elm.baudRate, 2_000_000);
    assert.equal(typeof (await value(obd, 'RPM')), 'number');
    await obd.close();
  });

  it('an adapter without AT BRD ("?") stays at its rate, and nothing else is tried', async () => {
    const transport = new ScriptedAdapter({ portName: '/dev/ttyUSB0', replies: { STI: '?' } });
    const elm = new Elm327(transport, { ...BASE, tuning: { upgradeBaudrate: 'auto' } });
    await elm.connect();
    assert.deepEqual(
      transport.commands.filter((c) => c.startsWith('ATBRD')),
      ['ATBRD08'],
    );
    assert.equal(elm.baudRate, 38400);
    assert.equal(elm.status, 'Car Connected');
    await elm.close();
  });

  it('no upgrade on a TCP adapter, nor when the rate in use is not ours to know', async () => {
    const tcp = new ScriptedAdapter({ portName: 'tcp://127.0.0.1:35000' });
    const overTcp = new Elm327(tcp, { ...BASE, baudrate: 'auto', tuning: { upgradeBaudrate: 'auto' } });
    await overTcp.connect();
    assert.ok(!tcp.commands.some((c) => c.startsWith('ATBRD')));
    await overTcp.close();
    const sim = await connect({}, { upgradeBaudrate: 'auto' }, { baudrate: 'auto' });
    assert.ok(!sim.writes().some((w) => w.startsWith('ATBRD')));
    await sim.obd.close();
  });
});

describe('the simulated chip answers the handshake as the datasheets describe', () => {
  it('AT BRD: OK without a prompt, the ID at the new rate, OK and a prompt after our CR', async () => {
    const elm = new SimulatedElm327();
    let out = '';
    const arrived = (pattern: RegExp) =>
      new Promise<void>((resolve) => {
        const check = () => (pattern.test(out) ? resolve() : setTimeout(check, 5));
        check();
      });
    elm.onOutput((chunk) => (out += chunk.toString('latin1')));
    elm.feed('ATE0\r');
    out = '';
    elm.feed('ATBRD23\r');
    assert.equal(out, 'OK\r', 'no prompt after OK');
    assert.equal(elm.baudRate, 114286);
    await arrived(/ELM327 v1\.5\r$/);
    elm.feed('\r');
    assert.equal(out, 'OK\rELM327 v1.5\rOK\r\r>');
    elm.dispose();
  });

  it('AT BRD without our CR: back to the old rate, with a prompt there', async () => {
    const elm = new SimulatedElm327();
    const changes: Array<number | null> = [];
    elm.onBaudChange((baud) => changes.push(baud));
    let out = '';
    elm.onOutput((chunk) => (out += chunk.toString('latin1')));
    elm.feed('ATE0\rATBRD08\r');
    await new Promise<void>((resolve) => {
      const check = () => (out.endsWith('>') && changes.length === 2 ? resolve() : setTimeout(check, 5));
      check();
    });
    assert.deepEqual(changes, [500000, null]);
    assert.equal(elm.baudRate, null);
    assert.ok(out.endsWith('ELM327 v1.5\r\r>'));
    elm.dispose();
  });

  it('an ELM327 answers "?" to ST commands; AT BRD 00 is refused', () => {
    const elm = new SimulatedElm327();
    let out = '';
    elm.onOutput((chunk) => (out += chunk.toString('latin1')));
    elm.feed('ATE0\r');
    out = '';
    elm.feed('STI\rSTBR115200\rATBRD00\r');
    assert.equal(out, '?\r\r>?\r\r>?\r\r>');
    elm.dispose();
  });
});

describe('headers off', () => {
  for (const protocol of ['6', '7', '9', '3']) {
    const can = protocol !== '3';
    it(`protocol ${protocol}: ${can ? 'ATH0 with the engine addressed alone' : 'headers stay on (CAN only)'}; answers decode`, async () => {
      const { obd, writes } = await connect({ protocol }, { headers: false }, { protocol });
      assert.equal(writes().includes('ATH0'), can);
      if (can) assert.ok(writes().includes(protocol === '6' ? 'ATSH7E0' : 'ATSHDA10F1'));
      assert.equal(typeof (await value(obd, 'RPM')), 'number');
      const vin = (await value(obd, 'VIN')) as number[];
      assert.equal(String.fromCharCode(...vin), '1SDVM3GTXHB000001');
      const dtcs = (await value(obd, 'GET_DTC')) as Array<[string, string]>;
      assert.ok(
        dtcs.some(([code]) => code === 'P0104'),
        JSON.stringify(dtcs),
      );
      await obd.close();
    });
  }
});
