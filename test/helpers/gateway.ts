import { io as connectClient, type Socket } from 'socket.io-client';
import { parseConfig } from '../../src/load-config.js';
import type { Spec } from '../../src/config/spec.js';
import { Gateway } from '../../src/gateway.js';

/** Starts a gateway from YAML text on a free loopback port (whatever port the YAML names); the adapter defaults to the simulator. */
export async function startGateway(yaml = '', file: string | null = null): Promise<Gateway> {
  const loaded = parseConfig(yaml, file);
  if (!loaded.ok) throw new Error(loaded.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n'));
  const gateway = await Gateway.start(loaded.spec, { registry: loaded.registry, adjust: onFreePort, watchConfig: file !== null });
  await gateway.ready();
  return gateway;
}

/** Keeps a test's gateway on a free port whatever port its (reloaded) YAML names. */
export function onFreePort(spec: Spec): Spec {
  return { ...spec, server: { ...spec.server, port: 0 } };
}

/** A real Socket.IO v4 client connected over WebSocket. */
export async function connect(gateway: Gateway, auth?: Record<string, unknown>): Promise<Socket> {
  const socket = connectClient(gateway.url, { transports: ['websocket'], reconnection: false, auth, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/** The arguments of the next `event` the socket receives; rejects after `ms`. */
export function next<T = unknown>(socket: Socket, event: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no '${event}' within ${ms} ms`));
    }, ms);
    const listener = (value: T) => {
      clearTimeout(timer);
      resolve(value);
    };
    socket.once(event, listener);
  });
}

/** The first `event` whose payload `accept`s, ignoring others; rejects after `ms`. */
export function nextMatching<T = unknown>(socket: Socket, event: string, accept: (value: T) => boolean, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no matching '${event}' within ${ms} ms`));
    }, ms);
    const listener = (value: T) => {
      if (!accept(value)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(value);
    };
    socket.on(event, listener);
  });
}

/** Emits and waits for the reply on the same event name (the reference's reply style). */
export async function request<T = unknown>(socket: Socket, event: string, ...args: unknown[]): Promise<T> {
  const reply = next<T>(socket, event);
  socket.emit(event, ...args);
  return reply;
}

/** Collects every `event` until what has arrived satisfies `enough`; rejects after `ms` with what came. */
export function collectUntil<T = unknown>(socket: Socket, event: string, enough: (seen: T[]) => boolean, ms = 10_000): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const seen: T[] = [];
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(
        new Error(`'${event}' did not bring what was expected within ${ms} ms; got ${seen.length}: ${JSON.stringify(seen).slice(0, 500)}`),
      );
    }, ms);
    const listener = (value: T) => {
      seen.push(value);
      if (!enough(seen)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(seen);
    };
    socket.on(event, listener);
  });
}

/** Collects every `event` for `ms` milliseconds. */
export async function collect<T = unknown>(socket: Socket, event: string, ms: number): Promise<T[]> {
  const seen: T[] = [];
  const listener = (value: T) => seen.push(value);
  socket.on(event, listener);
  await new Promise((r) => setTimeout(r, ms));
  socket.off(event, listener);
  return seen;
}
