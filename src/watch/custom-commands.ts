/**
 * What a new command table (a reload of `commands:` or of a signal-set file) means for the
 * watch loop: the loop holds command objects, so a command whose definition changed must be
 * watched again as its new object, at the same rate, and one that is gone must stop.
 */
import type { CommandRegistry } from '../obd/registry.js';
import type { Scheduler } from './scheduler.js';
import { isComputedCommand } from '../obd/computed.js';

/** Re-points watched commands at `next`'s objects; returns whether any custom command changed. */
export function rebindWatched(scheduler: Scheduler, previous: CommandRegistry, next: CommandRegistry): boolean {
  // Computed commands first let go of their sources, then watch them again as the new table
  // resolves them (a source may have been redefined while the computed command was not).
  const computed = scheduler.watchList().filter(({ cmd }) => isComputedCommand(cmd));
  for (const { cmd } of computed) scheduler.unwatch(cmd);
  for (const { cmd, rate } of scheduler.watchList()) {
    const current = next.byName(cmd.name);
    if (current === cmd) continue;
    scheduler.unwatch(cmd);
    if (current) scheduler.watch(current, rate);
  }
  for (const { cmd, rate } of computed) {
    const current = next.byName(cmd.name);
    if (current) scheduler.watch(current, rate);
  }
  const names = new Set([...previous.customCommands(), ...next.customCommands()].map((cmd) => cmd.name));
  return [...names].some((name) => previous.byName(name) !== next.byName(name));
}
