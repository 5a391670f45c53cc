/**
 * The serialport binding with one fix: a read that returns 0 bytes means the device hung up.
 *
 * On Linux and macOS, @serialport/bindings-cpp retries a 0-byte read at once and forever
 * (serialport/bindings-cpp#162, open): a Bluetooth rfcomm link that drops, a pty whose other end
 * closes, or some USB adapters pulled out hang up the tty, whose reads then return 0 for good.
 * The retry loop pins a core, grows memory until the process dies ("Map maximum size exceeded")
 * and never reports the loss, so the gateway would never reconnect. With the port opened
 * non-blocking and VMIN=1 (the binding's settings) "no data yet" is EAGAIN, never 0, so here a 0
 * is a hang-up: the stream takes the error as a disconnect and closes the port, and the
 * transport reports it as lost.
 *
 * Only the unix port's read changes; the rest of the binding (and Windows) is untouched.
 */
import { read } from 'node:fs';
import { promisify } from 'node:util';
import { SerialPort } from 'serialport';

type Binding = typeof SerialPort.binding;
type PortBinding = Awaited<ReturnType<Binding['open']>>;
type ReadResult = Awaited<ReturnType<PortBinding['read']>>;

/** What a unix port binding has besides the common interface: its fd and its fd poller. */
export interface UnixPortBinding {
  fd: number | null;
  readonly isOpen: boolean;
  readonly poller: { once(event: 'readable', callback: (error: Error | null) => void): unknown };
  read(buffer: Buffer, offset: number, length: number): Promise<ReadResult>;
}

const readAsync = promisify(read);
/** Read errors that mean "nothing to read yet": wait until the fd is readable, then read again. */
const NOT_YET = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);

/** SerialPort's own binding, with unix ports' reads taking 0 bytes as a hang-up. */
const hangupAwareBinding: Binding = {
  ...SerialPort.binding,
  list: () => SerialPort.binding.list(),
  async open(options: Parameters<Binding['open']>[0]) {
    // The type is a union of every platform's binding; the options are this platform's.
    const port = await SerialPort.binding.open(options as never);
    if (isUnixPort(port)) port.read = (buffer, offset, length) => readUntilData(port, buffer, offset, length);
    return port;
  },
} as Binding;

/**
 * A SerialPort on the hang-up-aware binding. SerialPort's constructor lets `binding` replace the
 * detected one, though its options type does not list the key.
 */
export function hangupAwareSerialPort(options: ConstructorParameters<typeof SerialPort>[0]): SerialPort {
  const withBinding = { ...options, binding: hangupAwareBinding };
  return new SerialPort(withBinding);
}

function isUnixPort(port: PortBinding): port is PortBinding & UnixPortBinding {
  return 'poller' in port && 'fd' in port;
}

export async function readUntilData(port: UnixPortBinding, buffer: Buffer, offset: number, length: number): Promise<ReadResult> {
  for (;;) {
    // Checked before every read and every wait: a closed port's poller is destroyed, and polling it crashes.
    if (!port.isOpen || port.fd === null) throw notOpen();
    try {
      const { bytesRead } = await readAsync(port.fd, buffer, offset, length, null);
      if (bytesRead === 0) throw Object.assign(new Error('the device hung up'), { code: 'EIO', disconnect: true });
      return { bytesRead, buffer };
    } catch (err) {
      if (!NOT_YET.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
      if (!port.isOpen) throw notOpen();
      await new Promise<void>((resolve, reject) => port.poller.once('readable', (error) => (error ? reject(error) : resolve())));
    }
  }
}

/** The stream stops reading quietly on a `canceled` error: the port was closed on purpose. */
function notOpen(): Error {
  return Object.assign(new Error('Port is not open'), { canceled: true });
}
