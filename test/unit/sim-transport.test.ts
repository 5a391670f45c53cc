import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SimTransport } from '../../src/sim/sim-transport.js';
import { SimulatedElm327 } from '../../src/sim/elm.js';
import { TransportError } from '../../src/transport/transport.js';

/** Collects a transport's output and waits for the next prompt. */
function collector(transport: SimTransport) {
  let buffer = '';
  let waiter: { count: number; resolve: (text: string) => void } | null = null;
  transport.onData((chunk) => {
    buffer += chunk.toString('latin1');
    if (waiter && (buffer.match(/>/g) ?? []).length >= waiter.count) {
      const { resolve } = waiter;
      waiter = null;
      const text = buffer;
      buffer = '';
      resolve(text);
    }
  });
  return {
    /** Resolves with everything received once `count` prompts have arrived. */
    prompts: (count = 1): Promise<string> => new Promise((resolve) => (waiter = { count, resolve })),
    take: (): string => {
      const text = buffer;
      buffer = '';
      return text;
    },
  };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('SimTransport', () => {
  it('is a Transport named "sim" that answers asynchronously, never inside write()', async () => {
    const transport = new SimTransport();
    assert.equal(transport.portName, 'sim');
    assert.equal(transport.isOpen, false);
    assert.throws(
      () => transport.write('ATI\r'),
      (error: unknown) => error instanceof TransportError && error.code === 'ENOTOPEN',
    );
    await transport.open();
    assert.equal(transport.isOpen, true);
    const out = collector(transport);
    const answer = out.prompts();
    transport.write('ATI\r');
    assert.equal(out.take(), '', 'nothing arrives during write()');
    assert.equal(await answer, 'ATI\rELM327 v1.5\r\r>');
    await transport.setBaudRate(115200);
    await transport.close();
    await transport.close();
    assert.equal(transport.isOpen, false);
  });

  it('answers thousands of requests in a row', async () => {
    const transport = new SimTransport();
    await transport.open();
    const out = collector(transport);
    const setup = out.prompts(2);
    transport.write('ATE0\r');
    transport.write('ATSP6\r');
    await setup;
    for (let i = 0; i < 2000; i++) {
      const answer = out.prompts();
      transport.write('010C\r');
      assert.match(await answer, /^41 0C [0-9A-F]{2} [0-9A-F]{2} \r\r>$/);
    }
  });

  it('simulateLoss() closes the link and tells onLost listeners', async () => {
    const transport = new SimTransport();
    await transport.open();
    const lost: Error[] = [];
    transport.onLost((error) => lost.push(error));
    transport.simulateLoss();
    assert.equal(transport.isOpen, false);
    assert.equal(lost.length, 1);
    assert.equal((lost[0] as TransportError).code, 'ENODEV');
  });
});

describe('simulated ELM327: fault injection', () => {
  it('with faults off, answers inside feed() without setting any timer', () => {
    const elm = new SimulatedElm327();
    let out = '';
    elm.onOutput((chunk) => (out += chunk.toString('latin1')));
    const original = globalThis.setTimeout;
    let timers = 0;
    globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
      timers += 1;
      return original(...args);
    }) as typeof setTimeout;
    try {
      elm.feed('ATZ\rATE0\r0100\r0902\rATRV\r');
    } finally {
      globalThis.setTimeout = original;
    }
    assert.equal(timers, 0);
    assert.equal((out.match(/>/g) ?? []).length, 5);
  });

  it('latencyMs delays the reply; a byte sent meanwhile interrupts an OBD request with STOPPED', async () => {
    const elm = new SimulatedElm327({ latencyMs: 30 });
    let out = '';
    elm.onOutput((chunk) => (out += chunk.toString('latin1')));
    elm.feed('ATE0\r');
    assert.equal(out, '', 'not yet');
    await sleep(60);
    assert.equal(out, 'ATE0\rOK\r\r>');
    out = '';
    elm.feed('0100\r');
    elm.feed('x');
    assert.equal(out, 'STOPPED\r\r>');
    await sleep(60);
    assert.equal(out, 'STOPPED\r\r>', 'the interrupted reply never comes');
    elm.dispose();
  });

  it('baudrate delays each reply by its serialisation time (10 bits per character)', async () => {
    // 2400 baud: "OK\r\r>" with the echo "ATE0\r" is 10 characters = 100 bits ≈ 42 ms.
    const elm = new SimulatedElm327({ baudrate: 2400 });
    let out = '';
    elm.onOutput((chunk) => (out += chunk.toString('latin1')));
    elm.feed('ATE0\r');
    await nextTurn();
    assert.equal(out, '');
    await sleep(80);
    assert.equal(out, 'ATE0\rOK\r\r>');
    elm.dispose();
  });

  it('dropEvery drops every Nth reply entirely', () => {
    const elm = new SimulatedElm327({ dropEvery: 3 });
    const replies: string[] = [];
    elm.onOutput((chunk) => replies.push(chunk.toString('latin1')));
    for (let i = 0; i < 6; i++) elm.feed('ATI\r');
    assert.equal(replies.length, 4, 'replies 3 and 6 are lost');
  });

  it('garbage puts random bytes (never a prompt) before a reply, which still arrives whole', () => {
    const elm = new SimulatedElm327({ garbage: 1, seed: 42 });
    let out = '';
    elm.onOutput((chunk) => (out += chunk.toString('latin1')));
    elm.feed('ATE0\r');
    assert.ok(out.endsWith('ATE0\rOK\r\r>'));
    const noise = out.slice(0, -'ATE0\rOK\r\r>'.length);
    assert.ok(noise.length >= 1 && noise.length <= 8);
    assert.ok(!noise.includes('>'));
    const again = new SimulatedElm327({ garbage: 1, seed: 42 });
    let second = '';
    again.onOutput((chunk) => (second += chunk.toString('latin1')));
    again.feed('ATE0\r');
    assert.equal(second, out, 'same seed, same noise');
  });

  it('silent() ignores everything until wake()', () => {
    const elm = new SimulatedElm327();
    let out = '';
    elm.onOutput((chunk) => (out += chunk.toString('latin1')));
    elm.silent();
    elm.feed('ATI\r');
    assert.equal(out, '');
    elm.wake();
    elm.feed('ATI\r');
    assert.equal(out, 'ATI\rELM327 v1.5\r\r>');
  });

  it('rejects impossible fault settings with EINVAL', () => {
    assert.throws(() => new SimulatedElm327({ garbage: 2 }), { code: 'EINVAL' });
    assert.throws(() => new SimulatedElm327({ latencyMs: -1 }), { code: 'EINVAL' });
    assert.throws(() => new SimulatedElm327({ canPadding: 300 }), { code: 'EINVAL' });
  });
});
