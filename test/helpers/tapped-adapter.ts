/**
 * An ObdService with its AdapterManager, every adapter link wrapped by a set of transport taps:
 * the wiring the gateway uses for recording and metrics, without the HTTP side.
 */
import { AdapterManager } from '../../src/link/adapter-manager.js';
import type { Spec } from '../../src/config/spec.js';
import { parseConfig } from '../../src/load-config.js';
import { silentLogger } from '../../src/log.js';
import { createTransport } from '../../src/link/open-transport.js';
import { TransportTaps } from '../../src/transport/tap.js';
import { ObdService } from '../../src/api/obd-service.js';

export interface Rig {
  spec: Spec;
  service: ObdService;
  adapter: AdapterManager;
  taps: TransportTaps;
  stop(): Promise<void>;
}

export function specOf(yaml: string, file: string | null = null, env: NodeJS.ProcessEnv = process.env): Spec {
  const loaded = parseConfig(yaml, file, env);
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n'));
  return loaded.spec;
}

/**
 * Starts the adapter of `spec` (the simulator by default) and waits for its first connection
 * attempt. `beforeStart` runs first, to put taps in place before the adapter's first byte.
 */
export async function startRig(spec: Spec, beforeStart?: (service: ObdService, taps: TransportTaps) => Promise<void> | void): Promise<Rig> {
  const logger = silentLogger();
  const taps = new TransportTaps();
  const service = new ObdService(spec.connection.port, spec.watch.interval, logger);
  // As the gateway does: the loop's settings, and the watch list from the config.
  service.scheduler.configure({ batch: spec.watch.batch, maxRate: spec.watch.max_rate });
  for (const [name, rate] of Object.entries(spec.watch.commands)) {
    const cmd = service.command(name);
    if (cmd) service.scheduler.watch(cmd, rate);
  }
  const adapter = new AdapterManager(spec.connection, service, logger, {
    openTransport: (port, connection) => taps.wrap(createTransport({ ...connection, port })),
  });
  await beforeStart?.(service, taps);
  adapter.start();
  await adapter.ready();
  return {
    spec,
    service,
    adapter,
    taps,
    async stop() {
      service.scheduler.stop();
      await adapter.stop();
    },
  };
}
