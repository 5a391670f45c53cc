/**
 * Service 02: freeze frame data. Like python-OBD, every service 01 command has a twin here named
 * "DTC_" + name, described "DTC " + description, with the same length, decoder, ECU filter and
 * fast flag; the PID bitmaps decode to nothing, because discovery reads service 01's bitmaps
 * instead (a PID supported in 01 is taken as supported in 02).
 * python-OBD sends these without a frame number byte ("020C"), and so do we.
 */
import type { OBDCommand } from '../command.js';
import { drop, pidBitmap } from '../decoders.js';
import { defineCommand } from './define.js';
import { mode01 } from './mode01.js';

export const mode02: readonly OBDCommand[] = Object.freeze(
  mode01.map((cmd) =>
    defineCommand({
      name: `DTC_${cmd.name}`,
      desc: `DTC ${cmd.desc}`,
      command: `02${cmd.command.slice(2)}`,
      bytes: cmd.bytes,
      decoder: cmd.decoder === pidBitmap ? drop : cmd.decoder,
      ecu: cmd.ecu,
      fast: cmd.fast,
    }),
  ),
);
