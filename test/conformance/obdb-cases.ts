/**
 * OBDb's recorded test cases (test/fixtures/obdb, CC BY-SA 4.0, see ATTRIBUTION.md there) read
 * through the gateway's own layers: the adapter's printed lines go through the CAN framing
 * (src/elm327/protocols), each reassembled answer is matched to the signal-set commands it
 * answers the way OBDb's test runner matches them, and each signal is decoded by the command
 * the gateway would serve (src/obd/custom). Shared by the conformance test and its
 * end-to-end sample.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { createProtocol } from '../../src/elm327/protocols/index.js';
import type { Message } from '../../src/elm327/message.js';
import { createCustomCommand } from '../../src/obd/custom/command.js';
import { parseSignalSet, type SignalSetCommand } from '../../src/obd/custom/obdb.js';
import type { OBDCommand } from '../../src/obd/command.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/obdb/', import.meta.url));

export interface TestCase {
  response: string;
  expected: Record<string, number | string | null>;
}

export interface CaseFile {
  vehicle: string;
  year: number;
  /** The file name, e.g. "6F1.607.22DD69+e=07,fc=1.yaml" ('|' of OBDb's names written '+'). */
  name: string;
  /** OBDb's command id: "6F1.607.22DD69|e=07,fc=1" (header, receive id, request | properties). */
  commandId: string;
  cases: TestCase[];
}

export function vehicles(): string[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export function caseFiles(vehicle: string): CaseFile[] {
  const files: CaseFile[] = [];
  for (const year of readdirSync(join(FIXTURES, vehicle))
    .filter((d) => /^\d{4}$/.test(d))
    .sort()) {
    for (const name of readdirSync(join(FIXTURES, vehicle, year)).sort()) {
      const data = parse(readFileSync(join(FIXTURES, vehicle, year, name), 'utf8')) as {
        command_id: string;
        test_cases: Array<{ response: string; expected_values: Record<string, number | string | null> }>;
      };
      files.push({
        vehicle,
        year: Number(year),
        name,
        commandId: String(data.command_id),
        cases: (data.test_cases ?? []).map((c) => ({ response: c.response, expected: c.expected_values })),
      });
    }
  }
  return files;
}

/** One OBDb command: its signals as gateway commands. */
interface CommandGroup {
  request: string;
  receive: string | null;
  signals: Array<{ id: string; cmd: OBDCommand }>;
}

/**
 * The commands OBDb's runner decodes with for a model year: SAE J1979's (made generic as the
 * runner makes them: no receive id, any header), then the vehicle's, filtered by year.
 * Later groups take precedence, as in the runner.
 */
export class CaseRegistry {
  readonly groups: CommandGroup[] = [];
  /** Signal-set warnings: commands the gateway would leave out. */
  readonly warnings: string[] = [];

  constructor(vehicle: string, year: number) {
    const standard = JSON.parse(readFileSync(join(FIXTURES, 'SAEJ1979.json'), 'utf8')) as { commands: Array<Record<string, unknown>> };
    for (const command of standard.commands) delete command.rax;
    this.add(parseSignalSet(JSON.stringify(standard), 'SAEJ1979.json', { modelYear: year }));
    const file = join(FIXTURES, vehicle, 'signalset.json');
    this.add(parseSignalSet(readFileSync(file, 'utf8'), file, { modelYear: year }));
  }

  private add(result: ReturnType<typeof parseSignalSet>): void {
    if (result.errors.length > 0) throw new Error(result.errors.map((e) => e.message).join('\n'));
    this.warnings.push(...result.warnings.map((w) => `${w.file}:${w.line}:${w.col} ${w.message}`));
    const byCommand = new Map<string, CommandGroup>();
    for (const command of result.commands) {
      const key = command.at.path.replace(/\.signals\[\d+\].*$/, '');
      let group = byCommand.get(key);
      if (!group) {
        group = { request: command.definition.request, receive: command.definition.receive, signals: [] };
        byCommand.set(key, group);
        this.groups.push(group);
      }
      group.signals.push({ id: signalId(command), cmd: createCustomCommand(command.definition) });
    }
  }

  /**
   * The groups an answer belongs to, as OBDb's runner picks them: among the commands with
   * this request, the latest one whose receive id is the sender's, else every one without a
   * receive id.
   */
  groupsFor(message: Message): CommandGroup[] {
    const data = message.data;
    const service = data[0]! - 0x40;
    const pidBytes = service === 0x22 ? 2 : service === 0x01 || service === 0x21 ? 1 : -1;
    if (pidBytes < 0 || data.length < 1 + pidBytes) return [];
    const request = Array.from(data.subarray(0, 1 + pidBytes), (b, i) =>
      (i === 0 ? b - 0x40 : b).toString(16).toUpperCase().padStart(2, '0'),
    ).join('');
    const candidates = this.groups.filter((g) => g.request === request).reverse();
    const own = candidates.find((g) => g.receive !== null && sentBy(g.receive, message));
    return own ? [own] : candidates.filter((g) => g.receive === null);
  }
}

function signalId(command: SignalSetCommand): string {
  return command.definition.name;
}

function sentBy(receive: string, message: Message): boolean {
  const id = parseInt(receive, 16);
  return receive.length === 8 ? message.txId === (id & 0xff) : message.txId === id;
}

/** How the adapter was set up for a command id: 29-bit for OBDb's 4-digit headers, extended addressing for e=. */
export function framingOf(commandId: string): { protocol: '6' | '7'; extendedAddress: boolean } {
  const [address, properties = ''] = commandId.split('|');
  const header = address!.split('.')[0]!;
  return { protocol: header.length === 4 ? '7' : '6', extendedAddress: /(^|,)e=/.test(properties) };
}

/** The values the gateway decodes from one recorded response, by command name. */
export function decodeResponse(registry: CaseRegistry, commandId: string, response: string): Map<string, unknown> {
  const { protocol, extendedAddress } = framingOf(commandId);
  const lines = response
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const values = new Map<string, unknown>();
  // When several ECUs answer, OBDb's runner reads the answers in the order they completed and
  // the last value of a signal stands: order the messages by their last frame's line.
  const completed = (m: Message): number => lines.indexOf(m.frames[m.frames.length - 1]!.raw);
  const messages = createProtocol(protocol, [])
    .parse(lines, { extendedAddress })
    .sort((a, b) => completed(a) - completed(b));
  for (const message of messages) {
    if (message.data.length === 0) continue;
    for (const group of registry.groupsFor(message)) {
      for (const { id, cmd } of group.signals) values.set(id, cmd.decoder([message])?.value ?? null);
    }
  }
  return values;
}

/**
 * Whether a decoded value is the expected one. OBDb writes expected numbers rounded (2.46552
 * for 2.4655172...), so a number matches when it rounds to what is written: within half a unit
 * of the last decimal written, or pytest.approx's relative 1e-6.
 */
export function sameValue(actual: unknown, expected: unknown): boolean {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const written = /\.(\d+)$/.exec(String(expected));
    const halfUnit = written ? 0.5 * 10 ** -written[1]!.length : 0;
    return Math.abs(actual - expected) <= Math.max(halfUnit * (1 + 1e-9), 1e-6 * Math.abs(expected), 1e-12);
  }
  return actual === expected;
}
