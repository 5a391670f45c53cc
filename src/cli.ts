import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Logger } from 'pino';
import type { Gateway } from './gateway.js';
import type { ParseResult } from './load-config.js';
import type { Spec } from './config/spec.js';
import { packageVersion } from './config/package-files.js';
import type { CarProfile } from './sim/ecu.js';
import { FORCED_EXIT_CODE, ShutdownSignals, stopWithin, watchLauncher } from './shutdown.js';

// Every other module is imported where a command needs it: `--help` and `--version` load
// nothing, `validate` only the config checks, and a gateway only the parts its config uses.

/** How long a graceful stop may take before the process exits anyway (the issue asks for under a second). */
const SHUTDOWN_DEADLINE_MS = 800;
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

const HELP = `obdio-gateway: an ELM327 OBD-II adapter served over Socket.IO, configured by one YAML file

Usage:
  obdio-gateway [CONFIG]                 run the gateway (CONFIG defaults to ./obdio.yaml,
                                         or the built-in simulator when there is none)
  obdio-gateway validate CONFIG          check a config; prints every error and warning as
                                         file:line:col (warnings alone still exit 0)
  obdio-gateway sim --listen TARGET      serve the simulated car as an ELM327 adapter on
                                         TARGET: tcp://127.0.0.1:35000 or a serial device/pty

Options:
  --no-watch              do not reload the config when the file changes
  --strict                validate only: warnings fail too (exit 1), e.g. a commands_from
                          command the gateway cannot serve
  --log-format FORMAT     pretty (default on a terminal) or json (default otherwise:
                          systemd, Docker, a pipe)
  --log-level LEVEL       trace, debug, info (default: $LOG_LEVEL or info), warn, error
  --protocol ID           sim only: the OBD protocol to simulate (1..9, A; default 6)
  --car CAR               sim only: petrol (default, a realistic V6) or full (answers
                          every PID, monitor and info type the gateway knows)
  -h, --help              show this help
  -v, --version           show the version

Docs: README.md. Exit codes: 0 ok, 1 invalid config or start-up failure, 2 bad usage.`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        'no-watch': { type: 'boolean' },
        'log-format': { type: 'string' },
        'log-level': { type: 'string' },
        listen: { type: 'string' },
        protocol: { type: 'string' },
        car: { type: 'string' },
        strict: { type: 'boolean' },
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) return print(HELP, 0);
  if (values.version) return print(packageVersion(), 0);

  const [command, ...rest] = positionals;
  if (command === 'validate') {
    if (rest.length !== 1) return usage('validate takes one config file');
    return validate(rest[0]!, values.strict === true);
  }

  // A person at a terminal reads lines; journald, Docker and log shippers parse JSON.
  const format = values['log-format'] ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (format !== 'pretty' && format !== 'json') return usage(`--log-format must be pretty or json, not '${format}'`);
  const level = values['log-level'] ?? (process.env.LOG_LEVEL || 'info');
  if (!LOG_LEVELS.includes(level)) {
    const from = values['log-level'] === undefined ? 'LOG_LEVEL' : '--log-level';
    return usage(`${from} must be one of ${LOG_LEVELS.join(', ')}, not '${level}'`);
  }
  // The secrets of the config that runs now (a reload may change them) never reach the output.
  let running: { currentSpec: Spec } | null = null;
  const { createLogger } = await import('./log.js');
  const logger = createLogger(format, level, {
    secrets: () => {
      const spec = running?.currentSpec;
      return spec ? [spec.server.auth.token, spec.mqtt?.password] : [];
    },
  });
  const signals = new ShutdownSignals((signal) => {
    logger.warn(`${signal} again: exiting now`);
    process.exit(FORCED_EXIT_CODE);
  });
  watchLauncher(() => signals.request('npm exited'));
  if (command === 'sim') {
    if (!values.listen) return usage('sim needs --listen tcp://127.0.0.1:35000 or --listen /dev/pts/N');
    const [{ CAR_PROFILES }, { serveSimulator }] = await Promise.all([import('./sim/ecu.js'), import('./sim/serve.js')]);
    const car = (values.car ?? 'petrol') as CarProfile;
    if (!CAR_PROFILES.includes(car)) return usage(`--car must be ${CAR_PROFILES.join(' or ')}, not '${car}'`);
    const sim = await serveSimulator(values.listen, { protocol: values.protocol ?? '6', car });
    const simLogger = logger.child({ component: 'sim' });
    simLogger.info({ address: sim.address }, `simulated ELM327 listening on ${sim.address}`);
    const lost = await Promise.race([signals.first.then(() => null), sim.lost]);
    await stopWithin(() => sim.close(), SHUTDOWN_DEADLINE_MS);
    if (lost === null) return 0;
    simLogger.error(lost.message);
    return 1;
  }
  if (rest.length > 0) return usage(`unexpected arguments: ${rest.join(' ')}`);

  const file = command ?? (existsSync('obdio.yaml') ? 'obdio.yaml' : null);
  const loaded = await loadConfigOrDefaults(file);
  if (!loaded.ok) return printConfigErrors(loaded);
  running = { currentSpec: loaded.spec };
  if (loaded.warnings.length > 0) {
    const { formatConfigError } = await import('./config/errors.js');
    const configLogger = logger.child({ component: 'config' });
    for (const warning of loaded.warnings) configLogger.warn(formatConfigError(warning));
  }
  logger.info(`obdio-gateway ${packageVersion()}: config ${file ? resolve(file) : '(none: built-in defaults, simulated car)'}`);
  let gateway: Gateway;
  try {
    const { Gateway } = await import('./gateway.js');
    gateway = await Gateway.start(loaded.spec, { registry: loaded.registry, logger, watchConfig: !values['no-watch'] });
  } catch (error) {
    logger.error({ code: (error as NodeJS.ErrnoException).code }, startFailure(error, loaded.spec.server.host, loaded.spec.server.port));
    return 1;
  }
  running = gateway;
  logSummary(gateway, logger);

  const signal = await signals.first;
  logger.info(`${signal}: shutting down (press Ctrl-C again to exit at once)`);
  gateway.sockets.io.emit('obdio:shutdown', { reason: signal });
  const inTime = await stopWithin(async () => {
    try {
      await gateway.stop();
    } catch (error) {
      logger.error({ err: error }, `error while stopping: ${(error as Error).message}`);
    }
  }, SHUTDOWN_DEADLINE_MS);
  if (inTime) logger.info('stopped');
  else logger.warn(`the adapter did not close within ${SHUTDOWN_DEADLINE_MS} ms; exiting anyway`);
  signals.dispose();
  return 0;
}

/** What runs, in a few lines: where to point a browser and what streams (the adapter reports itself when it connects). */
function logSummary(gateway: Gateway, logger: Logger): void {
  const spec = gateway.currentSpec;
  if (spec.dashboard)
    logger.child({ component: 'dashboard' }).info(`${gateway.url}${spec.dashboard.route === '/' ? '/' : spec.dashboard.route}`);
  const watched = gateway.service.scheduler.watchList().map(({ cmd, rate }) => (rate === null ? cmd.name : `${cmd.name} ${rate} Hz`));
  logger.info(
    watched.length > 0
      ? `watching ${watched.join(', ')}`
      : 'watching nothing yet (clients send watch, or list commands under watch.commands)',
  );
  if (spec.server.auth.token) logger.info('clients must send the auth token (server.auth.token)');
  const port = spec.connection.port;
  logger
    .child({ component: 'adapter' })
    .info(port === 'sim' ? 'the built-in simulated car' : port === 'auto' ? 'searching the serial ports (port: auto)' : port);
}

async function validate(file: string, strict: boolean): Promise<number> {
  const loaded = await loadConfigOrDefaults(file);
  if (!loaded.ok) return printConfigErrors(loaded);
  const { formatConfigError } = await import('./config/errors.js');
  for (const warning of loaded.warnings) process.stderr.write(`warning: ${formatConfigError(warning)}\n`);
  if (loaded.warnings.length === 0) return print(`${file}: ok`, 0);
  const count = `${loaded.warnings.length} warning${loaded.warnings.length === 1 ? '' : 's'}`;
  return strict ? print(`${file}: ${count} (--strict: not ok)`, 1) : print(`${file}: ok, ${count}`, 0);
}

/** The config file, completely checked; no file: the built-in defaults (the simulated car). */
async function loadConfigOrDefaults(file: string | null): Promise<ParseResult> {
  const { loadConfig, parseConfig } = await import('./load-config.js');
  return file ? loadConfig(resolve(file)) : parseConfig('', null);
}

async function printConfigErrors(loaded: Extract<ParseResult, { ok: false }>): Promise<number> {
  const { formatConfigError } = await import('./config/errors.js');
  for (const error of loaded.errors) process.stderr.write(`${formatConfigError(error)}\n`);
  return 1;
}

function startFailure(error: unknown, host: string, port: number): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return `port ${port} on ${host} is already in use (another obdio-gateway?). Fix: stop the other program (find it with: fuser -v ${port}/tcp) or set server.port`;
  }
  if (code === 'EACCES') return `no permission to listen on ${host}:${port}: use a port above 1023`;
  if (code === 'EADDRNOTAVAIL') return `${host} is not an address of this machine: check server.host`;
  return `cannot start: ${(error as Error).message}`;
}

function print(text: string, code: number): number {
  process.stdout.write(`${text}\n`);
  return code;
}

function usage(message: string): number {
  process.stderr.write(`${message}\n\nRun obdio-gateway --help for usage.\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`obdio-gateway: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
