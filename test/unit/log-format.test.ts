import { test } from 'node:test';
import assert from 'node:assert/strict';
import { componentLogger, createLogger, formatRecord } from '../../src/log.js';

function capture(format: 'pretty' | 'json', secrets?: () => string[]) {
  const lines: string[] = [];
  const logger = createLogger(format, 'debug', { output: { write: (text: string) => lines.push(text) }, colors: false, secrets });
  return { logger, lines };
}

test('pretty: one line per event: time, level, message, then key=value fields (no JSON object)', () => {
  const { logger, lines } = capture('pretty');
  logger.info({ baud: 38400 }, 'trying baud rate');
  logger.warn({ port: '/dev/ttyUSB0', reply: ['NO DATA', '?'] }, 'something odd on /dev/ttyUSB0');
  assert.equal(lines.length, 2);
  assert.match(lines[0], /^\d\d:\d\d:\d\d\.\d{3} INFO {2}trying baud rate baud=38400\n$/);
  // port is in the message already, so it is not repeated; arrays of words are comma-joined.
  assert.match(lines[1], /^\d\d:\d\d:\d\d\.\d{3} WARN {2}something odd on \/dev\/ttyUSB0 reply="NO DATA,\?"\n$/);
  for (const line of lines) assert.doesNotMatch(line, /[{}]/);
});

test('pretty: a short number the message already says is not repeated; one it does not say is shown', () => {
  const at = { level: 30, time: Date.UTC(2024, 0, 1) };
  assert.match(
    formatRecord({ ...at, msg: 'adapter ready: 94 supported commands', commands: 94 }),
    / INFO {2}adapter ready: 94 supported commands$/,
  );
  assert.match(formatRecord({ ...at, msg: 'car of 1994', commands: 94 }), / car of 1994 commands=94$/);
  assert.match(formatRecord({ ...at, msg: 'battery at 12.6 V', volts: 6 }), / battery at 12\.6 V volts=6$/);
});

test('pretty: an error adds its message unless the line says it already; its stack only at debug', () => {
  const record = {
    level: 50,
    time: Date.UTC(2024, 0, 1),
    msg: 'cannot start',
    err: { message: 'EADDRINUSE', stack: 'Error: EADDRINUSE\n    at listen (net.js:1:1)' },
  };
  assert.match(formatRecord(record), / ERROR cannot start \(EADDRINUSE\)$/);
  assert.match(formatRecord({ ...record, msg: 'cannot start: EADDRINUSE' }), / ERROR cannot start: EADDRINUSE$/);
  assert.match(formatRecord(record, { verbose: true }), /\(EADDRINUSE\)\n {4}at listen \(net\.js:1:1\)$/);
});

test('json: one JSON object per line with level, time and msg', () => {
  const { logger, lines } = capture('json');
  logger.info({ port: 'sim' }, 'adapter ready');
  const record = JSON.parse(lines[0]) as Record<string, unknown>;
  assert.equal(record.msg, 'adapter ready');
  assert.equal(record.level, 30);
  assert.equal(record.port, 'sim');
});

test('components: a JSON field for machines; in front of the message for people, unless it starts with it', () => {
  const json = capture('json');
  componentLogger(json.logger, 'mqtt').info({ url: 'mqtt://127.0.0.1' }, 'connected to mqtt://127.0.0.1');
  const record = JSON.parse(json.lines[0]) as Record<string, unknown>;
  assert.equal(record.component, 'mqtt');
  assert.equal(record.msg, 'connected to mqtt://127.0.0.1');

  const pretty = capture('pretty');
  const adapter = componentLogger(pretty.logger, 'adapter');
  adapter.error('/dev/ttyUSB0: no such device');
  adapter.info({ port: 'sim' }, 'adapter ready on sim');
  pretty.logger.info('listening on http://127.0.0.1:48484');
  assert.match(pretty.lines[0], / ERROR adapter: \/dev\/ttyUSB0: no such device\n$/);
  assert.match(pretty.lines[1], / INFO {2}adapter ready on sim\n$/);
  assert.match(pretty.lines[2], / INFO {2}listening on http:\/\/127\.0\.0\.1:48484\n$/);
});

test('secrets: token fields are redacted, and the running secret is scrubbed from every place it appears', () => {
  const secret = 'hunter2-"quoted"-token';
  for (const format of ['pretty', 'json'] as const) {
    const { logger, lines } = capture(format, () => [secret, 'ab']);
    logger.info({ server: { auth: { token: secret } }, token: secret }, 'config loaded');
    logger.warn(`a message that quotes ${secret} by mistake`);
    logger.error({ err: new Error(`failed with ${secret}`) }, 'oops');
    logger.info({ nested: { deeper: { value: secret } } }, 'deep');
    logger.info('press the tab key');
    const text = lines.join('');
    assert.ok(!text.includes('hunter2'), `${format}: ${text}`);
    assert.ok(text.includes('[redacted]'));
    assert.ok(text.includes('tab key'), 'secrets under 4 characters are not scrubbed (they would mangle words)');
  }
});
