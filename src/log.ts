import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type LogFormat = 'pretty' | 'json';

/**
 * The gateway's logger: one readable line per event for a person at a terminal, or JSON lines
 * for machines (`--log-format json`). Secrets never reach it: the config's auth token is
 * redacted wherever it appears.
 */
export function createLogger(format: LogFormat = 'pretty', level = 'info'): Logger {
  const options = {
    level,
    redact: { paths: ['token', '*.token', 'auth.token', 'server.auth.token'], censor: '[redacted]' },
  };
  if (format === 'json') return pino(options);
  const stream = pretty({
    colorize: process.stdout.isTTY === true,
    translateTime: 'HH:MM:ss.l',
    ignore: 'pid,hostname',
    singleLine: true,
    sync: true,
  });
  return pino(options, stream);
}

/** A logger that drops everything: for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
