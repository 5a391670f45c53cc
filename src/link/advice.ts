/**
 * What went wrong with the adapter, in words a user can act on: each usual failure gets its
 * cause and the fix, on one line, for the terminal and for clients (`obdio:status`'s error).
 */

export interface ConnectFailure {
  /** The transport's or driver's code (ENOENT, EACCES, EBUSY, ECONNREFUSED, NOT_CONNECTED...), or NO_VEHICLE. */
  code: string;
  message: string;
}

/**
 * Explains why connecting to `port` failed. `candidates` are the serial ports found on this
 * machine (listed when the configured one does not exist); null when not looked up.
 */
export function explainConnectFailure(error: unknown, port: string, candidates: readonly string[] | null = null): ConnectFailure {
  const code = errorCode(error);
  const original = error instanceof Error ? error.message : String(error);
  const say = (message: string): ConnectFailure => ({ code, message });
  switch (code) {
    case 'ENOENT':
      return say(`${port}: no such device. ${candidateAdvice(candidates)}`);
    case 'ENODEV':
      return say(`${port}: the device is gone (unplugged?); waiting for it to come back`);
    case 'EACCES':
      return say(
        `${port}: permission denied. Fix: add your user to the dialout group (sudo usermod -aG dialout $USER), then log out and in again`,
      );
    case 'EBUSY':
      return say(`${port}: port busy, another program has it open. Fix: close that program (find it with: fuser -v ${port})`);
    case 'ENOTTY':
      return say(`${port}: not a serial port. Fix: set connection.port to the adapter's device, or port: auto`);
    case 'NOT_CONNECTED':
      // The driver's own text names the port and the baud rates tried.
      return say(`${original}. Fix: check connection.port, that the adapter is powered (plugged into the car), or set connection.baudrate`);
    case 'NO_VEHICLE':
      return say(original);
    default:
      // TCP and other transport errors already carry their advice (refused, unreachable...).
      return say(original.startsWith(port) ? original : `${port}: ${original}`);
  }
}

function candidateAdvice(candidates: readonly string[] | null): string {
  if (candidates === null) return 'Fix: plug the adapter in, or correct connection.port';
  if (candidates.length === 0) {
    return 'No serial ports found on this machine: plug the adapter in (Bluetooth adapters: pair and bind first, e.g. sudo rfcomm bind 0 <MAC>)';
  }
  return `Serial ports found: ${candidates.join(', ')}. Fix: set connection.port to one of them, or port: auto`;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'EIO';
}
