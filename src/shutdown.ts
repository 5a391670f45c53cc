/**
 * Ctrl-C and `kill` (SIGINT/SIGTERM): the first asks for a graceful stop (clients are told, the
 * adapter closes, the process exits 0) under a hard deadline, because a hung adapter or a
 * stuck serial close must never keep a car's gateway from stopping; a second signal exits at
 * once, as a user pressing Ctrl-C twice expects.
 */
export const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Exit code of a second, impatient signal (128 + SIGINT, the shell's convention). */
export const FORCED_EXIT_CODE = 130;

export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export class ShutdownSignals {
  /** Resolves with the first signal received (or the reason given to request). */
  readonly first: Promise<string>;
  private received: string | null = null;
  private readonly listeners = new Map<NodeJS.Signals, () => void>();
  private resolveFirst!: (reason: string) => void;

  constructor(
    /** Called on the second signal: exit now. */
    onSecond: (signal: NodeJS.Signals) => void,
    private readonly source: SignalSource = process,
  ) {
    this.first = new Promise((resolve) => (this.resolveFirst = resolve));
    for (const signal of SHUTDOWN_SIGNALS) {
      const listener = (): void => {
        if (this.received) return onSecond(signal);
        this.request(signal);
      };
      this.listeners.set(signal, listener);
      source.on(signal, listener);
    }
  }

  /** A graceful stop for another reason than a signal (the first one counts). */
  request(reason: string): void {
    if (this.received) return;
    this.received = reason;
    this.resolveFirst(reason);
  }

  dispose(): void {
    for (const [signal, listener] of this.listeners) this.source.off(signal, listener);
    this.listeners.clear();
  }
}

/**
 * npm's launcher (npx, `npm start`) does not pass SIGTERM on to the program it runs: a service
 * manager or script that stops npm leaves the gateway running, holding its port and adapter.
 * When npm started this process (it sets npm_lifecycle_event), the launcher's exit, seen as
 * this process getting a new parent, calls `onGone` once. A gateway started otherwise (a
 * service, a container, `nohup`) is left alone: outliving its parent is what those want.
 */
export function watchLauncher(
  onGone: () => void,
  options: { env?: NodeJS.ProcessEnv; parentPid?: () => number; intervalMs?: number } = {},
): () => void {
  const env = options.env ?? process.env;
  if (!env.npm_lifecycle_event) return () => undefined;
  const parentPid = options.parentPid ?? (() => process.ppid);
  const launcher = parentPid();
  const timer = setInterval(() => {
    if (parentPid() === launcher) return;
    clearInterval(timer);
    onGone();
  }, options.intervalMs ?? 500);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Runs `stop`, but gives up waiting after `deadlineMs`: resolves true when it finished in
 * time, false when the deadline passed first (then `stop` is left to finish on its own).
 */
export async function stopWithin(stop: () => Promise<void>, deadlineMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), deadlineMs);
  });
  const done = stop().then(
    () => true as const,
    () => true as const,
  );
  try {
    return await Promise.race([done, late]);
  } finally {
    clearTimeout(timer);
  }
}
