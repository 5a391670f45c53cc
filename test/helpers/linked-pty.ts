/**
 * A socat pty pair whose ends are reached through fixed symlinks (socat's `link=` option). A
 * new socat gets new /dev/pts numbers, but the links stay put: the way udev's
 * /dev/serial/by-id names keep a re-plugged USB adapter reachable under one path.
 */
import { spawn } from 'node:child_process';

export interface LinkedPtyPair {
  /** The symlinks given, now pointing at the two /dev/pts ends. */
  a: string;
  b: string;
  pid: number;
  /** Kills socat (by its PID) and waits for it to exit; socat removes the links. Safe to call twice. */
  close(): Promise<void>;
}

export function openLinkedPtyPair(linkA: string, linkB: string, timeoutMs = 5000): Promise<LinkedPtyPair> {
  return new Promise((resolve, reject) => {
    const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${linkA}`, `pty,raw,echo=0,link=${linkB}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const killOnExit = (): void => {
      child.kill('SIGTERM');
    };
    process.once('exit', killOnExit);
    void exited.then(() => process.removeListener('exit', killOnExit));
    let stderr = '';
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(new Error(`${message}\nsocat said:\n${stderr}`));
    };
    const timer = setTimeout(() => fail('socat did not start in time'), timeoutMs);
    child.once('error', (error) => fail(`cannot start socat: ${error.message}`));
    child.once('exit', (code) => fail(`socat exited early (code ${code})`));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      stderr += text;
      if (settled || !stderr.includes('starting data transfer loop')) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        a: linkA,
        b: linkB,
        pid: child.pid!,
        close: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
  });
}
