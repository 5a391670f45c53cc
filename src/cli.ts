import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatConfigError } from './config/load.js';
import { loadSpec, parseSpec } from './load-spec.js';
import { Gateway } from './gateway.js';
import { createLogger, type LogFormat } from './log.js';
import { serveSimulator } from './transport/sim/serve.js';

const HELP = `obdio-gateway: an ELM327 OBD-II adapter served over Socket.IO, configured by one YAML file

Usage:
  obdio-gateway [CONFIG]                 run the gateway (CONFIG defaults to ./obdio.yaml,
                                         or the built-in simulator when there is none)
  obdio-gateway validate CONFIG          check a config; prints every error as file:line:col
  obdio-gateway sim --listen TARGET      serve the simulated car as an ELM327 adapter on
                                         TARGET: tcp://127.0.0.1:35000 or a serial device/pty

Options:
  --no-watch              do not reload the config when the file changes
  --log-format FORMAT     pretty (default) or json
  --log-level LEVEL       trace, debug, info (default), warn, error
  --protocol ID           sim only: the OBD protocol to simulate (1..9, A; default 6)
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
      },
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) return print(HELP, 0);
  if (values.version) return print(packageVersion(), 0);

  const format = values['log-format'] ?? 'pretty';
  if (format !== 'pretty' && format !== 'json') return usage(`--log-format must be pretty or json, not '${format}'`);
  const logger = createLogger(format as LogFormat, values['log-level'] ?? 'info');

  const [command, ...rest] = positionals;
  if (command === 'validate') {
    if (rest.length !== 1) return usage('validate takes one config file');
    return validate(rest[0]!);
  }
  if (command === 'sim') {
    if (!values.listen) return usage('sim needs --listen tcp://127.0.0.1:35000 or --listen /dev/pts/N');
    const sim = await serveSimulator(values.listen, { protocol: values.protocol ?? '6' });
    logger.info({ address: sim.address }, `simulated ELM327 listening on ${sim.address}`);
    await untilSignal();
    await sim.close();
    return 0;
  }
  if (rest.length > 0) return usage(`unexpected arguments: ${rest.join(' ')}`);

  const file = command ?? (existsSync('obdio.yaml') ? 'obdio.yaml' : null);
  const loaded = file ? await loadSpec(resolve(file)) : await loadDefaults();
  if (!loaded.ok) {
    for (const error of loaded.errors) process.stderr.write(`${formatConfigError(error)}\n`);
    return 1;
  }
  logger.info({ config: file ?? '(built-in defaults)' }, `config ${file ?? '(built-in defaults: simulator)'}`);
  let gateway: Gateway;
  try {
    gateway = await Gateway.start(loaded.spec, { logger, watchConfig: !values['no-watch'] });
  } catch (error) {
    logger.error({ err: error }, startFailure(error, loaded.spec.server.host, loaded.spec.server.port));
    return 1;
  }
  await untilSignal();
  logger.info('shutting down');
  await gateway.stop();
  return 0;
}

async function validate(file: string): Promise<number> {
  const loaded = await loadSpec(resolve(file));
  if (loaded.ok) return print(`${file}: ok`, 0);
  for (const error of loaded.errors) process.stderr.write(`${formatConfigError(error)}\n`);
  return 1;
}

async function loadDefaults() {
  return parseSpec('', null);
}

function startFailure(error: unknown, host: string, port: number): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `port ${port} on ${host} is already in use: stop the other program or set server.port`;
  if (code === 'EACCES') return `no permission to listen on ${host}:${port}: use a port above 1023`;
  if (code === 'EADDRNOTAVAIL') return `${host} is not an address of this machine: check server.host`;
  return `cannot start: ${(error as Error).message}`;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
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
