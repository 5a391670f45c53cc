/**
 * Ircama's ELM327-emulator (the adapter emulator python-OBD is tested with), run as a real
 * adapter on a pty or on tcp://127.0.0.1:PORT, so the gateway is tried against an ELM327 that
 * nobody here wrote. It is not part of this repository (its licence is CC BY-NC-SA 4.0): the
 * workplace ships it beside the project in ../shared, and OBDIO_ELM327_EMULATOR_SCRIPT names
 * another copy of its launcher. It needs Debian's python3-serial, python3-daemon, python3-yaml.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The launcher script, or null when this machine has no copy of the emulator. */
export const emulatorScript: string | null = (() => {
  const path = process.env.OBDIO_ELM327_EMULATOR_SCRIPT ?? join(repo, '../shared/tools/elm327-emulator.sh');
  return existsSync(path) ? path : null;
})();

/**
 * Why the emulator's tests cannot run here, or null when they can. In CI (CI=true) a missing
 * emulator is a failure, not a skip: .ci/run installs its Python packages and CI has ../shared.
 */
export function emulatorUnavailable(): string | null {
  if (emulatorScript) return null;
  const why = 'ELM327-emulator not found (../shared/tools/elm327-emulator.sh or OBDIO_ELM327_EMULATOR_SCRIPT)';
  if (process.env.CI) throw new Error(`${why}: CI must run the conformance suite against it`);
  return why;
}

export interface RunningEmulator {
  /** What to put in connection.port: a /dev/pts path or tcp://127.0.0.1:PORT. */
  port: string;
  stop(): Promise<void>;
}

/** Starts the emulator's "car" scenario on a new pty (`pty`) or on a loopback TCP port. */
export async function startEmulator(mode: 'pty' | { tcp: number }, timeoutMs = 20_000): Promise<RunningEmulator> {
  if (!emulatorScript) throw new Error(emulatorUnavailable() ?? 'no emulator');
  const work = mkdtempSync(join(tmpdir(), 'elm327-emulator-'));
  const args = mode === 'pty' ? ['pty'] : ['tcp', String(mode.tcp)];
  // Its own process group, so stop() ends the launcher and the Python process it started.
  const child = spawn('bash', [emulatorScript, ...args], { cwd: work, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const killGroup = (): void => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.once('exit', killGroup);
  let output = '';
  const port = await new Promise<string>((resolvePort, reject) => {
    const timer = setTimeout(() => fail(`ELM327-emulator did not start within ${timeoutMs} ms`), timeoutMs);
    function fail(message: string): void {
      clearTimeout(timer);
      killGroup();
      reject(new Error(`${message}\nit said:\n${output}`));
    }
    const early = (code: number | null): void => fail(`ELM327-emulator exited early (code ${code})`);
    child.once('exit', early);
    const read = (text: Buffer): void => {
      output += text.toString();
      const match = /ELM327-emulator \(pid \d+\) on (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.off('exit', early);
        resolvePort(match[1]);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
  });
  return {
    port,
    async stop() {
      killGroup();
      await exited;
      process.removeListener('exit', killGroup);
      rmSync(work, { recursive: true, force: true });
    },
  };
}
