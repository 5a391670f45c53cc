/**
 * `server.adapter: redis://...` — Socket.IO's Redis adapter, so several gateway processes (one
 * per vehicle, or several behind a load balancer) share broadcasts and rooms: an event one
 * gateway sends to `all` or to a room reaches the matching clients of every gateway. A vehicle
 * gets its own room by convention (a watch callback emitting to `room:vehicle:<name>`, clients
 * joining it with a `join` action), so a dashboard connected to any gateway can follow any car.
 *
 * The Redis client and adapter packages are imported only when the key is set. While Redis is away the
 * gateway keeps serving its own clients: broadcasts to other gateways are dropped (counted), not
 * queued, and the clients reconnect to Redis by themselves.
 */
import type { Logger } from 'pino';
import type { Namespace, Server } from 'socket.io';
import type { RedisClientType } from '@redis/client';
import type { Spec } from '../config/spec.js';
import type { ApplyResult, Part, PartMetric } from '../config/part.js';

export interface RedisFanOutDeps {
  io: Server;
  logger?: Logger;
}

export interface RedisFanOutStats {
  /** The URL in use; null: single process (in-memory adapter). */
  url: string | null;
  connected: boolean;
  /** Broadcasts not sent to other gateways because Redis was away. */
  dropped: number;
}

/** How long start-up waits for Redis before going on without it (it keeps trying in the background). */
const CONNECT_WAIT_MS = 5000;

type AdapterConstructor = NonNullable<Parameters<Server['adapter']>[0]>;
type AnyRedisClient = RedisClientType<Record<string, never>, Record<string, never>, Record<string, never>>;

export class RedisFanOut implements Part {
  readonly name = 'redis';
  private url: string | null = null;
  private pub: AnyRedisClient | null = null;
  private sub: AnyRedisClient | null = null;
  private dropped = 0;
  /** Socket.IO's own in-memory adapter, put back when the key is removed. */
  private readonly inMemory: AdapterConstructor;
  private outageLogged = false;

  constructor(private readonly deps: RedisFanOutDeps) {
    this.inMemory = deps.io.adapter() as AdapterConstructor;
  }

  static async start(spec: Spec, deps: RedisFanOutDeps): Promise<RedisFanOut> {
    const adapter = new RedisFanOut(deps);
    await adapter.start(spec);
    return adapter;
  }

  /** Shares broadcasts through `spec.server.adapter` when it is set. */
  async start(spec: Spec): Promise<void> {
    await this.use(spec.server.adapter);
  }

  async apply(_previous: Spec, next: Spec): Promise<ApplyResult> {
    await this.use(next.server.adapter);
    return 'applied';
  }

  metrics(): PartMetric[] {
    const { url, connected, dropped } = this.stats;
    return [
      {
        name: 'obdio_redis_connected',
        help: '1 while the Redis adapter is connected (NaN: single process)',
        type: 'gauge',
        value: url ? (connected ? 1 : 0) : null,
      },
      {
        name: 'obdio_redis_dropped_total',
        help: 'Broadcasts not sent to other gateways while Redis was away',
        type: 'counter',
        value: dropped,
      },
    ];
  }

  get stats(): RedisFanOutStats {
    return { url: this.url, connected: this.pub?.isReady === true && this.sub?.isReady === true, dropped: this.dropped };
  }

  /** Switches to the Redis adapter at `url`, another Redis, or back to in-memory (null). */
  private async use(url: string | null): Promise<void> {
    if (url === this.url) return;
    const oldClients = [this.pub, this.sub];
    if (url === null) {
      this.switchTo(this.inMemory);
      this.pub = this.sub = null;
    } else {
      await this.useRedis(url);
    }
    this.url = url;
    await Promise.all(oldClients.map((client) => closeClient(client)));
  }

  async stop(): Promise<void> {
    if (this.url === null) return;
    const clients = [this.pub, this.sub];
    this.switchTo(this.inMemory);
    this.pub = this.sub = null;
    this.url = null;
    await Promise.all(clients.map((client) => closeClient(client)));
  }

  private async useRedis(url: string): Promise<void> {
    const [{ createClient }, { createAdapter }] = await Promise.all([import('@redis/client'), import('@socket.io/redis-adapter')]);
    const options = {
      url,
      // Publishing live values into a queue while Redis is away would only deliver them stale, later.
      socket: { reconnectStrategy: (retries: number) => Math.min(200 * (retries + 1), 5000), connectTimeout: 5000 },
    };
    const pub = createClient({ ...options, disableOfflineQueue: true }) as unknown as AnyRedisClient;
    const sub = createClient(options) as unknown as AnyRedisClient;
    for (const [client, role] of [
      [pub, 'publish'],
      [sub, 'subscribe'],
    ] as const) {
      client.on('error', (error: Error) => this.outage(url, role, error));
      client.on('ready', () => {
        if (this.outageLogged) this.deps.logger?.info({ url }, `connected to ${redacted(url)} again`);
        this.outageLogged = false;
      });
    }
    const connected = Promise.all([pub.connect(), sub.connect()]);
    connected.catch(() => undefined);
    const ready = await Promise.race([
      connected.then(
        () => true,
        () => false,
      ),
      delay(CONNECT_WAIT_MS).then(() => false),
    ]);
    if (!ready) this.deps.logger?.warn({ url: redacted(url) }, `${redacted(url)} does not answer yet; serving local clients meanwhile`);
    else this.deps.logger?.info({ url: redacted(url) }, `sharing broadcasts through ${redacted(url)}`);
    this.pub = pub;
    this.sub = sub;
    this.switchTo(createAdapter(this.guard(pub, 'publish'), this.guard(sub, 'subscribe')) as unknown as AdapterConstructor);
  }

  /**
   * The adapter fires publish/subscribe calls without handling their failure; a rejected one
   * would be an unhandled rejection (a crash). These calls go through a wrapper that counts and
   * forgets failures, and skips publishing while the client is not ready.
   */
  private guard(client: AnyRedisClient, role: 'publish' | 'subscribe'): AnyRedisClient {
    const swallowed = new Set(['subscribe', 'pSubscribe', 'unsubscribe', 'pUnsubscribe']);
    return new Proxy(client, {
      get: (target, property) => {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        const method = value as (...args: unknown[]) => unknown;
        if (property === 'publish' && role === 'publish') {
          return (...args: unknown[]) => {
            if (!target.isReady) {
              this.dropped++;
              return Promise.resolve(0);
            }
            return (method.apply(target, args) as Promise<number>).catch(() => {
              this.dropped++;
              return 0;
            });
          };
        }
        if (typeof property === 'string' && swallowed.has(property)) {
          return (...args: unknown[]) => Promise.resolve(method.apply(target, args)).catch(() => undefined);
        }
        return method.bind(target);
      },
    });
  }

  /**
   * Installs another adapter on every namespace. Socket.IO builds new (empty) adapters, so the
   * rooms of connected sockets are carried over, and the old adapters are closed.
   */
  private switchTo(adapter: AdapterConstructor): void {
    const namespaces = [...(this.deps.io as unknown as { _nsps: Map<string, Namespace> })._nsps.values()];
    const before = namespaces.map((nsp) => ({
      nsp,
      old: nsp.adapter,
      rooms: [...nsp.sockets.values()].map((socket) => [socket.id, new Set(socket.rooms)] as const),
    }));
    this.deps.io.adapter(adapter);
    for (const { nsp, old, rooms } of before) {
      for (const [id, socketRooms] of rooms) void nsp.adapter.addAll(id, socketRooms);
      void Promise.resolve(old.close()).catch(() => undefined);
    }
  }

  private outage(url: string, role: string, error: Error): void {
    if (this.outageLogged) return;
    this.outageLogged = true;
    this.deps.logger?.warn(
      { url: redacted(url), role, err: error.message },
      `redis adapter: ${redacted(url)}: ${error.message || 'connection lost'}; local clients are still served, reconnecting`,
    );
  }
}

async function closeClient(client: AnyRedisClient | null): Promise<void> {
  if (!client) return;
  try {
    if (client.isOpen) await Promise.race([client.close(), delay(2000)]);
    else client.destroy();
  } catch {
    try {
      client.destroy();
    } catch {
      // already gone
    }
  }
}

/** The URL without its password, for logs. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
