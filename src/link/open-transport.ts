import type { ConnectionSpec } from '../config/spec.js';
import { ReplayTransport } from '../transport/replay.js';
import { SerialTransport } from '../transport/serial.js';
import { SimTransport } from '../sim/sim-transport.js';
import { TcpTransport } from '../transport/tcp.js';
import type { Transport } from '../transport/transport.js';

/** Picks the transport for `connection.port`: the simulator, a TCP (WiFi) adapter, a recording, or a serial device. */
export function createTransport(connection: ConnectionSpec): Transport {
  const { port, baudrate } = connection;
  // The simulated car, with any manufacturer-specific ECUs the config gives it.
  if (port === 'sim') return new SimTransport({ car: connection.sim.car, ecus: connection.sim.ecus });
  if (port.startsWith('tcp://')) return new TcpTransport(port);
  // A recorded drive played back as the adapter (the path is already absolute).
  if (port.startsWith('replay:')) return new ReplayTransport(port.slice('replay:'.length), { speed: connection.replay_speed });
  // With baud detection the driver switches speeds itself; 38400 is the ELM327's factory default.
  return new SerialTransport(port, { baudRate: baudrate === 'auto' ? 38400 : baudrate });
}
