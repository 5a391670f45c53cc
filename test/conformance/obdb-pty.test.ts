/**
 * A sample of OBDb's recorded test cases end to end: the gateway loads the vehicle's signal
 * set (commands_from, vehicle.model_year), talks over a real pty (socat) to a scripted ELM327
 * that prints the recorded response, and a real Socket.IO client queries each signal. Picked
 * for variety: extended addressing with flow control (BMW), extended and tester addresses on
 * service 21 (Toyota hybrid battery), 29-bit CAN (Honda), little-endian fields (Kia),
 * a digit-first id and a map (4Runner), 11-bit service 22 (Ford).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import type { Socket } from 'socket.io-client';
import type { Gateway } from '../../src/gateway.js';
import { commandNameOf } from '../../src/obd/custom/obdb.js';
import { connect, request, startGateway } from '../helpers/gateway.js';
import { openPtyPair, type PtyPair } from '../helpers/pty.js';
import { ElmScript } from '../helpers/scripted-adapter.js';
import { caseFiles, FIXTURES, framingOf, sameValue, type CaseFile } from './obdb-cases.js';

interface WireResponse {
  value: unknown;
  command: { name: string; command: string };
}

const SAMPLES: Array<[vehicle: string, year: number, file: string]> = [
  ['BMW-i3s', 2019, '6F1.607.22DD69+e=07,fc=1.yaml'],
  ['Toyota-RAV4-Hybrid', 2019, '750.758.2130+e=2A,ta=2A,fc=1.yaml'],
  ['Honda-Civic', 2022, 'DA60.60.227022.yaml'],
  ['Kia-Stinger', 2019, '7E0.7E8.22E002.yaml'],
  ['Toyota-4Runner', 2020, '7D0.7D8.2162+f=2007-.yaml'],
  ['Ford-Bronco', 2022, '726.72E.222813.yaml'],
];

/** A scripted ELM327 on one end of a pty, answering the request with `response` (set per case). */
async function serveRecording(
  path: string,
  protocol: '6' | '7',
  request: string,
): Promise<{ script: ElmScript; respond: (lines: string[]) => void; close: () => Promise<void> }> {
  let response: string[] = ['NO DATA'];
  const engine = protocol === '6' ? '7E8 06 41 00 BE 3F A8 13' : '18DAF110 06 41 00 BE 3F A8 13';
  const script = new ElmScript({ ATDPN: `A${protocol}`, '0100': ['SEARCHING...', engine] }, (command) => {
    if (command.startsWith('AT')) return 'OK'; // ATSH, ATCEA, ATCRA, ATTA, ATFCSH/SD/SM, ATST, ATCP
    // The request, maybe with python-OBD's response-count digit appended.
    if (command === request || (command.length === request.length + 1 && command.startsWith(request))) return response;
    return 'NO DATA';
  });
  const port = new SerialPort({ path, baudRate: 38400, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
  port.on('data', (chunk: Buffer) => {
    const out = script.handle(chunk.toString('latin1'));
    if (out) port.write(out);
  });
  return {
    script,
    respond: (lines) => (response = lines),
    close: () => new Promise<void>((resolve) => port.close(() => resolve())),
  };
}

for (const [vehicle, year, name] of SAMPLES) {
  describe(`OBDb ${vehicle} ${year}/${name} through the gateway over a pty`, () => {
    const file: CaseFile = caseFiles(vehicle).find((f) => f.year === year && f.name === name)!;
    const { protocol } = framingOf(file.commandId);
    const requestText = file.commandId.split('|')[0]!.split('.').at(-1)!;
    let pty: PtyPair;
    let adapter: Awaited<ReturnType<typeof serveRecording>>;
    let gateway: Gateway;
    let client: Socket;

    before(async () => {
      pty = await openPtyPair();
      adapter = await serveRecording(pty.a, protocol, requestText);
      const yaml = [
        // 2 s for a reply: python-OBD's 100 ms would make a busy machine's late reply a null.
        `connection: { port: "${pty.b}", baudrate: 38400, timeout: 2s }`,
        `vehicle: { model_year: ${year} }`,
        `commands_from: ["${join(FIXTURES, vehicle, 'signalset.json')}"]`,
        'dashboard: false',
      ].join('\n');
      gateway = await startGateway(yaml);
      assert.equal(gateway.service.status, 'Car Connected');
      client = await connect(gateway);
    });
    after(async () => {
      client?.disconnect();
      await gateway?.stop();
      await adapter?.close();
      await pty?.close();
    });

    test('every expected value of the recording, queried by a Socket.IO client', async (t) => {
      let checked = 0;
      for (const testCase of file.cases) {
        // Some recordings are stretches of a session log ("> 7E0.7E8.2113", "NO DATA", "BUS
        // INIT: ...UNABLE TO CONNECT" for other requests): the adapter prints the frames.
        adapter.respond(testCase.response.split('\n').filter((line) => /^[0-9A-F ]+$/.test(line.trim())));
        for (const [id, expected] of Object.entries(testCase.expected)) {
          const reply = await request<WireResponse>(client, 'query', commandNameOf(id));
          assert.equal(reply.command.command, requestText, `${id} is served by this recording's request`);
          assert.ok(
            sameValue(reply.value, expected),
            `${id}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(reply.value)} from ${testCase.response}`,
          );
          checked++;
        }
      }
      t.diagnostic(`${vehicle} ${year}/${name}: ${checked} expected values over the pty`);
      assert.ok(checked > 0);
    });

    if (file.commandId.includes('e=')) {
      test('the adapter was set up for extended addressing, and put back for plain requests', async () => {
        const sent = adapter.script.commands.map((c) => c.replace(/ /g, ''));
        const setup = sent.filter((c) => /^AT(CEA|CRA|TA|FCS|CP|ST)/.test(c));
        const rax = file.commandId.split('.')[1]!;
        const eax = /e=([0-9A-F]{2})/.exec(file.commandId)![1]!;
        assert.ok(setup.includes(`ATCEA${eax}`), setup.join(' '));
        assert.ok(setup.includes(`ATCRA${rax}`), setup.join(' '));
        assert.ok(setup.includes('ATFCSM1'), setup.join(' '));
        // A built-in query afterwards goes out with plain addressing again.
        await request<WireResponse>(client, 'query', 'RPM');
        const afterwards = adapter.script.commands.slice(sent.length).map((c) => c.replace(/ /g, ''));
        for (const undo of ['ATCEA', 'ATCRA', 'ATFCSM0']) assert.ok(afterwards.includes(undo), `${undo} in ${afterwards.join(' ')}`);
        assert.ok(afterwards.indexOf('ATCEA') < afterwards.findIndex((c) => c.startsWith('010C')), afterwards.join(' '));
      });
    }
  });
}
