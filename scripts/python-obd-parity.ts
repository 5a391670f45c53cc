/**
 * Cross-checks the gateway's decoding against python-OBD itself: python-OBD (from a checkout
 * you name) and then the gateway query the simulator's full car on the same socat pty, with the
 * car's clock frozen, and every decoded value and unit is compared. Not part of `npm test`:
 * python-OBD's code is not ours to ship. Needs socat, python3 with pyserial and pint (Debian:
 * python3-serial, python3-pint).
 *
 *   npm run parity -- /path/to/python-OBD [--protocol 6]
 */
import { execFile } from 'node:child_process';
import { parseArgs, promisify } from 'node:util';
import { serveSimulator } from '../src/sim/serve.js';
import { connect, request, startGateway } from '../test/helpers/gateway.js';
import { openPtyPair } from '../test/helpers/pty.js';

interface Answer {
  value: unknown;
  unit: string | null;
}

/**
 * Where python-OBD 0.7.3 is wrong and the gateway is not (see the README): trimmed VIN and
 * calibration ID strings, and mode 07 codes shifted by a count byte that non-CAN cars do not send.
 */
const PYTHON_OBD_FAULTS = new Set(['VIN', 'CALIBRATION_ID', 'GET_CURRENT_DTC']);

const { values, positionals } = parseArgs({ allowPositionals: true, options: { protocol: { type: 'string', default: '6' } } });
const pythonObd = positionals[0];
if (!pythonObd) {
  process.stderr.write('usage: npm run parity -- /path/to/python-OBD [--protocol 6]\n');
  process.exit(2);
}

/** Differences between python-OBD's value (as python-obd-dump.py writes it) and the wire's. */
function differences(theirs: unknown, ours: unknown, path: string, out: string[]): void {
  const near = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));
  if (theirs !== null && typeof theirs === 'object' && 'magnitude' in theirs) {
    // A quantity: the wire carries its magnitude (a MonitorTest value too).
    const magnitude = (theirs as { magnitude: number }).magnitude;
    if (typeof ours !== 'number' || !near(magnitude, ours)) out.push(`${path}: python-OBD ${magnitude}, gateway ${JSON.stringify(ours)}`);
  } else if (Array.isArray(theirs)) {
    if (!Array.isArray(ours) || ours.length !== theirs.length)
      out.push(`${path}: python-OBD ${JSON.stringify(theirs)}, gateway ${JSON.stringify(ours)}`);
    else theirs.forEach((item, i) => differences(item, ours[i], `${path}[${i}]`, out));
  } else if (theirs !== null && typeof theirs === 'object') {
    for (const [key, item] of Object.entries(theirs))
      differences(item, (ours as Record<string, unknown> | null)?.[key], `${path}.${key}`, out);
  } else if (typeof theirs === 'number' && typeof ours === 'number' ? !near(theirs, ours) : theirs !== ours) {
    out.push(`${path}: python-OBD ${JSON.stringify(theirs)}, gateway ${JSON.stringify(ours)}`);
  }
}

const pair = await openPtyPair();
// The car's clock reads its start once, then stays 1330 s later (driving, engine warm): both
// programs see the same car.
let started = false;
const now = (): number => (started ? 1_330_000 : ((started = true), 0));
const car = await serveSimulator(pair.a, { car: 'full', protocol: values.protocol, now, baudRate: 38400 });
try {
  const dump = new URL('./python-obd-dump.py', import.meta.url).pathname;
  const { stdout } = await promisify(execFile)('python3', [dump, pythonObd, pair.b], { maxBuffer: 64 << 20 });
  const python = JSON.parse(stdout) as { protocol: string; answers: Record<string, Answer> };

  const gateway = await startGateway(`connection: { port: '${pair.b}', baudrate: 38400 }\n`);
  const client = await connect(gateway);
  const faults: string[] = [];
  const known: string[] = [];
  for (const [name, theirs] of Object.entries(python.answers)) {
    const ours = await request<Answer | null>(client, 'query', name);
    const found: string[] = [];
    if (theirs.value === null) {
      if (ours !== null && ours.value !== null) found.push(`${name}: python-OBD None, gateway ${JSON.stringify(ours.value)}`);
    } else if (ours === null) {
      found.push(`${name}: gateway null, python-OBD ${JSON.stringify(theirs.value)}`);
    } else {
      if (ours.unit !== theirs.unit) found.push(`${name}: unit python-OBD ${theirs.unit}, gateway ${ours.unit}`);
      differences(theirs.value, ours.value, name, found);
    }
    (PYTHON_OBD_FAULTS.has(name) ? known : faults).push(...found);
  }
  client.disconnect();
  await gateway.stop();

  const count = Object.keys(python.answers).length;
  console.log(`${python.protocol}: ${count} commands compared, ${faults.length} differences`);
  for (const line of faults) console.log(`  ${line}`);
  if (known.length > 0) console.log(`python-OBD's own faults (the gateway is right):\n${known.map((line) => `  ${line}`).join('\n')}`);
  process.exitCode = faults.length === 0 ? 0 : 1;
} finally {
  await car.close();
  await pair.close();
}
