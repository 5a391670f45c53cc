/**
 * A real pseudo-terminal pair from socat, for tests of anything that talks to a serial port:
 * bytes written to one path come out of the other. Close it to kill socat (by its PID).
 *
 * With `links`, the ends are also reached through those fixed symlinks (socat's `link=`): a new
 * socat gets new /dev/pts numbers but the links stay put, the way udev's /dev/serial/by-id
 * names keep a re-plugged USB adapter reachable under one path.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface PtyPair {
  /** Two /dev/pts paths joined by socat. */
  a: string;
  b: string;
  pid: number;
  /** Kills socat and waits for it to exit; safe to call twice. */
  close(): Promise<void>;
}

export interface PtyOptions {
  /** Symlinks to create for the two ends; `a` and `b` are then these paths. */
  links?: [string, string];
  timeoutMs?: number;
}

export function openPtyPair(options: PtyOptions = {}): Promise<PtyPair> {
  const { links, timeoutMs = 5000 } = options;
  const end = (i: 0 | 1) => (links ? `pty,raw,echo=0,link=${links[i]}` : 'pty,raw,echo=0');
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn('socat', ['-d', '-d', end(0), end(1)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const paths: string[] = [];
    let stderr = '';
    let settled = false;
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    // If the test process ends without close() (a failed test, a runner timeout), take socat along.
    const killOnExit = (): void => {
      child.kill('SIGTERM');
    };
    process.once('exit', killOnExit);
    void exited.then(() => process.removeListener('exit', killOnExit));
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(new Error(`${message}\nsocat said:\n${stderr}`));
    };
    const timer = setTimeout(() => fail('socat did not report two ptys in time'), timeoutMs);
    child.once('error', (err) => fail(`cannot start socat: ${err.message}`));
    child.once('exit', (code) => fail(`socat exited early (code ${code})`));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      stderr += text;
      // socat -d -d prints "... N PTY is /dev/pts/7" once per side, then "starting data transfer loop".
      for (const match of text.matchAll(/PTY is (\/dev\/\S+)/g)) paths.push(match[1]);
      if (!settled && paths.length >= 2 && stderr.includes('starting data transfer loop')) {
        settled = true;
        clearTimeout(timer);
        let closed = false;
        resolve({
          a: links ? links[0] : paths[0],
          b: links ? links[1] : paths[1],
          pid: child.pid!,
          close: async () => {
            if (closed) return;
            closed = true;
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
  });
}
