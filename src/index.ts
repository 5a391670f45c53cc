/**
 * obdio-gateway as a library: run a gateway from code, check a config, and type a
 * socket.io-client against the gateway's events.
 *
 * ```ts
 * import { Gateway, formatConfigError, loadConfig } from 'obdio-gateway';
 * const loaded = await loadConfig('obdio.yaml');
 * if (!loaded.ok) throw new Error(loaded.errors.map(formatConfigError).join('\n'));
 * const gateway = await Gateway.start(loaded.spec, { watchConfig: true });
 * ```
 */
export { Gateway, type GatewayOptions, type ReloadResult } from './gateway.js';
/**
 * Parse and completely check config text / a config file, command names included (the CLI's
 * `validate`): internally parseSpec/loadSpec.
 */
export { parseSpec as parseConfig, loadSpec as loadConfig } from './load-spec.js';
export { formatConfigError, type ConfigError, type ConfigErrorCode, type ParseResult } from './config/index.js';
export type { Spec, DashboardSpec } from './config/spec.js';
export type * from './events.js';
