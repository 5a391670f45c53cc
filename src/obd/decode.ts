/**
 * Turning an adapter answer into a value, as python-OBD's OBDCommand.__call__ does: keep the
 * messages of the ECUs the command listens to, pad or cut each message's data to the command's
 * length, then decode. Unlike python-OBD, a decoder that fails gives null instead of raising.
 */
import type { Message } from '../elm327/message.js';
import type { Decoded, OBDCommand } from './command.js';

/** The message with its data padded with zeros or cut to `bytes` (python-OBD's constraint). */
function constrain(message: Message, bytes: number): Message {
  const length = message.data.length;
  if (length === bytes) return message;
  const data = new Uint8Array(bytes); // zero-filled: the padding
  data.set(length > bytes ? message.data.subarray(0, bytes) : message.data);
  return { ...message, data };
}

/** The decoded value of an answer, or null when no accepted ECU answered or there is no value. */
export function decodeMessages(cmd: OBDCommand, messages: readonly Message[]): Decoded | null {
  const accepted = messages.filter((m) => (cmd.ecu & m.ecu) > 0);
  if (accepted.length === 0) return null;
  const sized = cmd.bytes > 0 ? accepted.map((m) => constrain(m, cmd.bytes)) : accepted;
  try {
    const decoded = cmd.decoder(sized);
    if (decoded === null || decoded === undefined || decoded.value === null || decoded.value === undefined) return null;
    return decoded;
  } catch {
    // A decoder bug must cost one reading, not the stream.
    return null;
  }
}
