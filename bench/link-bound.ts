import { Elm327 } from '../src/elm327/driver.js';
import type { Transport } from '../src/transport/transport.js';

/**
 * The link bound: 010C1 requests and replies back to back through the ELM327 driver on the same
 * transport, no gateway, no OBD decoding: what the adapter and the line allow. The trailing 1
 * (one reply expected) is how the gateway asks too; without it a real ELM327, and the
 * emulator, wait out their timeout for more ECUs before the prompt.
 */
export async function linkBound(transport: Transport, seconds: number): Promise<number> {
  const elm = new Elm327(transport, { baudrate: 38400, protocol: '6', timeout: 1000, checkVoltage: false, startLowPower: false });
  await elm.connect();
  for (let i = 0; i < 20; i++) await elm.request('010C1'); // warm-up
  let count = 0;
  const until = performance.now() + seconds * 1000;
  const start = performance.now();
  while (performance.now() < until) {
    await elm.request('010C1');
    count++;
  }
  const rate = count / ((performance.now() - start) / 1000);
  await elm.close();
  return rate;
}
