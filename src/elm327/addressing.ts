/**
 * How the adapter addresses one ECU beyond the header (ATSH): the AT commands that set it up
 * before a request, and those that put the adapter back afterwards, so the next request with
 * plain addressing goes out as before. Vehicle files (OBDb's eax, tst, fcm1, tmo, pri) need
 * these for ECUs behind a gateway: BMW's and Toyota's hybrid battery ECUs use ISO-TP extended
 * addressing, where every frame starts with the target's address byte.
 */

export interface Addressing {
  /** ISO-TP extended address of the target (ATCEA hh); answers then carry an address byte before the PCI. */
  readonly extendedAddress: string | null;
  /** Receive filter (ATCRA): the id answers come from, 3 or 8 hex digits. */
  readonly receiveFilter: string | null;
  /** Tester address (ATTA hh), when not the usual F1. */
  readonly tester: string | null;
  /** Flow control sent by the adapter itself (ATFCSH, ATFCSD, ATFCSM1): to this header, these bytes. */
  readonly flowControl: { readonly header: string; readonly data: string } | null;
  /** Answer timeout in 4 ms steps (ATST hh). */
  readonly timeout: string | null;
  /** 29-bit CAN priority byte (ATCP hh). */
  readonly priority: string | null;
}

/** What the ELM327 has after ATZ, to put back. */
const DEFAULT_TESTER = 'F1';
const DEFAULT_PRIORITY = '18';
const DEFAULT_TIMEOUT = '32';

/** The commands that set an addressing up, in the order the adapter needs them. */
export function setupCommands(a: Addressing): string[] {
  const commands: string[] = [];
  if (a.priority !== null) commands.push(`ATCP${a.priority}`);
  if (a.tester !== null) commands.push(`ATTA${a.tester}`);
  if (a.extendedAddress !== null) commands.push(`ATCEA${a.extendedAddress}`);
  if (a.receiveFilter !== null) commands.push(`ATCRA${a.receiveFilter}`);
  if (a.flowControl !== null) commands.push(`ATFCSH${a.flowControl.header}`, `ATFCSD${a.flowControl.data}`, 'ATFCSM1');
  if (a.timeout !== null) commands.push(`ATST${a.timeout}`);
  return commands;
}

/**
 * The commands that undo setupCommands(a). `timeout` is the ATST value the start-up left
 * (the chip's default unless tuning set one).
 */
export function restoreCommands(a: Addressing, timeout: string | null): string[] {
  const commands: string[] = [];
  if (a.timeout !== null) commands.push(`ATST${timeout ?? DEFAULT_TIMEOUT}`);
  if (a.flowControl !== null) commands.push('ATFCSM0');
  if (a.receiveFilter !== null) commands.push('ATCRA');
  if (a.extendedAddress !== null) commands.push('ATCEA');
  if (a.tester !== null) commands.push(`ATTA${DEFAULT_TESTER}`);
  if (a.priority !== null) commands.push(`ATCP${DEFAULT_PRIORITY}`);
  return commands;
}

/** Text equal for two addressings exactly when they set the adapter up the same way. */
export function addressingKey(a: Addressing | null): string {
  return a === null ? '' : setupCommands(a).join(' ');
}
