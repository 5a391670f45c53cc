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
  /** Resolves with the first signal received. */
  readonly first: Promise<NodeJS.Signals>;
  private received: NodeJS.Signals | null = null;
  private readonly listeners = new Map<NodeJS.Signals, () => void>();

  constructor(
    /** Called on the second signal: exit now. */
    onSecond: (signal: NodeJS.Signals) => void,
    private readonly source: SignalSource = process,
  ) {
    let resolveFirst!: (signal: NodeJS.Signals) => void;
    this.first = new Promise((resolve) => (resolveFirst = resolve));
    for (const signal of SHUTDOWN_SIGNALS) {
      const listener = (): void => {
        if (this.received) return onSecond(signal);
        this.received = signal;
        resolveFirst(signal);
      };
      this.listeners.set(signal, listener);
      source.on(signal, listener);
    }
  }

  dispose(): void {
    for (const [signal, listener] of this.listeners) this.source.off(signal, listener);
    this.listeners.clear();
  }
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
