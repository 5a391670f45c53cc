/**
 * obdio-gateway as a library: run a gateway from code, check a config, and type a
 * socket.io-client against the gateway's events.
 *
 * ```ts
 * import { Gateway, formatConfigError, loadConfig } from 'obdio-gateway';
 * const loaded = await loadConfig('obdio.yaml');
 * if (!loaded.ok) throw new Error(loaded.errors.map(formatConfigError).join('\n'));
 * const gateway = await Gateway.start(loaded.spec, { registry: loaded.registry, watchConfig: true });
 * ```
 */
export { Gateway, type GatewayOptions, type ReloadResult } from './gateway.js';
/**
 * Parse and completely check config text / a config file, command names included (the CLI's
 * `validate`): `{ ok: true, spec, registry, warnings }` or `{ ok: false, errors }`.
 */
export { parseConfig, loadConfig, type LoadedConfig, type ParseResult } from './load-config.js';
export type { CommandRegistry } from './obd/registry.js';
export { formatConfigError, type ConfigError, type ConfigErrorCode } from './config/index.js';
export type { Spec, DashboardSpec } from './config/spec.js';
export type * from './events.js';
