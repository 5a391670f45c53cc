/**
 * Every command the gateway knows, looked up by python-OBD name or by service and PID, and the
 * discovery rules python-OBD applies to "PIDs supported" bitmaps.
 */
import type { OBDCommand } from '../command.js';
import { pidBitmap } from '../decoders.js';
import { ELM_VERSION, ELM_VOLTAGE, adapterCommands } from './adapter.js';
import { commandMode, commandPid } from './define.js';
import { mode01 } from './mode01.js';
import { mode02 } from './mode02.js';
import { GET_DTC, mode03 } from './mode03.js';
import { CLEAR_DTC, mode04 } from './mode04.js';
import { mode06 } from './mode06.js';
import { GET_CURRENT_DTC, mode07 } from './mode07.js';
import { mode09 } from './mode09.js';
import { mode0a } from './mode0a.js';

export { commandMode, commandPid } from './define.js';

/** All commands, by service then PID (python-OBD's order), the adapter's last. */
export const allCommands: readonly OBDCommand[] = Object.freeze([
  ...mode01,
  ...mode02,
  ...mode03,
  ...mode04,
  ...mode06,
  ...mode07,
  ...mode09,
  ...mode0a,
  ...adapterCommands,
]);

const byName = new Map<string, OBDCommand>(allCommands.map((cmd) => [cmd.name, cmd]));

/** Services 03, 04, 07, 0A and the adapter's commands have no PID and are found by name only. */
const byModePid = new Map<number, OBDCommand>();
for (const cmd of allCommands) {
  const mode = commandMode(cmd);
  const pid = commandPid(cmd);
  if (mode !== null && pid !== null) byModePid.set(mode * 256 + pid, cmd);
}

/** The command of that exact python-OBD name ("RPM"; "rpm" is not one). */
export function commandByName(name: string): OBDCommand | undefined {
  return byName.get(name);
}

/** The command for a service and PID, e.g. (1, 0x0C) → RPM; undefined when there is none. */
export function commandByModePid(mode: number, pid: number): OBDCommand | undefined {
  if (!Number.isInteger(mode) || !Number.isInteger(pid) || pid < 0 || pid > 0xff) return undefined;
  return byModePid.get(mode * 256 + pid);
}

/**
 * The bitmaps that drive discovery, in the order to ask them (python-OBD's pid_getters):
 * services 01, 06, then 09. Service 02's bitmaps are left out: python-OBD never sends them and
 * takes service 01's answer for both.
 */
export const pidBitmapCommands: readonly OBDCommand[] = Object.freeze(allCommands.filter((cmd) => cmd.decoder === pidBitmap));

const MODE_CURRENT = 1;
const MODE_FREEZE_FRAME = 2;

/**
 * The commands a bitmap answer declares supported: bit i stands for PID (bitmap PID + i + 1) of
 * the bitmap's service, and for service 01 also that PID of service 02. PIDs we have no command
 * for are skipped.
 */
export function supportedFromBitmap(cmd: OBDCommand, value: readonly boolean[]): OBDCommand[] {
  const mode = commandMode(cmd);
  const base = commandPid(cmd);
  if (mode === null || base === null) return [];
  const found = new Set<OBDCommand>();
  value.forEach((bit, i) => {
    if (bit !== true) return;
    const pid = base + i + 1;
    const current = commandByModePid(mode, pid);
    if (current !== undefined) found.add(current);
    if (mode === MODE_CURRENT) {
      const frozen = commandByModePid(MODE_FREEZE_FRAME, pid);
      if (frozen !== undefined) found.add(frozen);
    }
  });
  return [...found];
}

function named(name: string): OBDCommand {
  const cmd = byName.get(name);
  if (cmd === undefined) throw new Error(`command table lacks ${name}`);
  return cmd;
}

/**
 * Commands assumed supported before discovery (python-OBD 0.7.3's base_commands, which also
 * holds PIDS_9A so the service 09 bitmap is asked).
 */
export const baseCommands: readonly OBDCommand[] = Object.freeze([
  named('PIDS_A'),
  named('PIDS_9A'),
  named('MIDS_A'),
  GET_DTC,
  CLEAR_DTC,
  GET_CURRENT_DTC,
  ELM_VERSION,
  ELM_VOLTAGE,
]);
