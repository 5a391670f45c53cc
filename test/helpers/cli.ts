/**
 * Runs the CLI as a child process (`node --import tsx src/cli.ts ...`), the way a user does, and
 * collects what it prints, line by line, from stdout and stderr together.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliRun {
  readonly child: ChildProcess;
  /** Every line printed so far (colours off: not a terminal). */
  readonly lines: string[];
  /** The first line (already printed or still to come) matching `pattern`; rejects after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Sends a signal (SIGINT as Ctrl-C does). */
  signal(signal: NodeJS.Signals): void;
  /** Makes sure the process is gone (SIGKILL when still running). */
  kill(): Promise<void>;
  text(): string;
}

/** `launcher`: a command that runs node for it (such as `unshare --pid --fork`), whose child it is then. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, launcher: string[] = []): CliRun {
  const command = [...launcher, process.execPath, '--import', 'tsx', 'src/cli.ts', ...args];
  const child = spawn(command[0]!, command.slice(1), {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (line: string) => void }>();
  const onLine = (line: string): void => {
    lines.push(line);
    for (const waiter of waiters) {
      if (!waiter.pattern.test(line)) continue;
      waiters.delete(waiter);
      waiter.resolve(line);
    }
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      partial += text;
      const parts = partial.split('\n');
      partial = parts.pop()!;
      for (const line of parts) onLine(line);
    });
    stream.on('end', () => {
      if (partial) onLine(partial);
      partial = '';
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A failed test must not leave a gateway running: take it along when the test process ends.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));

  return {
    child,
    lines,
    exited,
    text: () => lines.join('\n'),
    waitFor(pattern, ms = 45_000) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          pattern,
          resolve: (line: string) => {
            clearTimeout(timer);
            resolve(line);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no line matching ${pattern} within ${ms} ms; output:\n${lines.join('\n')}`));
        }, ms);
        waiters.add(waiter);
        void exited.then(() => {
          if (!waiters.has(waiter)) return;
          // Give the last lines a moment to be read.
          setTimeout(() => {
            if (!waiters.delete(waiter)) return;
            clearTimeout(timer);
            reject(new Error(`the CLI exited without a line matching ${pattern}; output:\n${lines.join('\n')}`));
          }, 100);
        });
      });
    },
    signal(signal) {
      child.kill(signal);
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
