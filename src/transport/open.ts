import type { ConnectionSpec } from '../config/spec.js';
import { SerialTransport } from './serial.js';
import { SimTransport } from './sim/sim-transport.js';
import { TcpTransport } from './tcp.js';
import type { Transport } from './transport.js';

/** Picks the transport for `connection.port`: the simulator, a TCP (WiFi) adapter, or a serial device. */
export function createTransport(connection: ConnectionSpec): Transport {
  const { port, baudrate } = connection;
  if (port === 'sim') return new SimTransport();
  if (port.startsWith('tcp://')) return new TcpTransport(port);
  // With baud detection the driver switches speeds itself; 38400 is the ELM327's factory default.
  return new SerialTransport(port, { baudRate: baudrate === 'auto' ? 38400 : baudrate });
}
