/**
 * Where an ELM327 might be plugged in, for `port: auto`. serialport's list() asks udev through
 * `udevadm`, which containers and minimal systems often lack (the spawn fails with ENOENT) or
 * which knows nothing of hot-plugged devices there; so the device folders are scanned as well,
 * and a failing or slow list() only means fewer names, never a crash.
 */
import { readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';

export interface PortScanOptions {
  /** serialport's SerialPort.list(); may reject. Default: loaded lazily from serialport. */
  list?: () => Promise<ReadonlyArray<{ path: string }>>;
  /** Names in a folder; default fs.readdir. A missing folder yields nothing. */
  readdir?: (dir: string) => Promise<string[]>;
  /** Resolves a symlink (/dev/serial/by-id/...) to its device, to drop duplicates. */
  realpath?: (path: string) => Promise<string>;
  /** Give up on list() after this many ms (default 2000). */
  listTimeoutMs?: number;
}

/** USB serial adapters first (most common, quickest to answer), then CDC-ACM, then Bluetooth. */
const DEVICE_PATTERNS: readonly RegExp[] = [/^\/dev\/ttyUSB\d+$/, /^\/dev\/ttyACM\d+$/, /^\/dev\/rfcomm\d+$/];
/** Other platforms' names as serialport reports them (COM3, /dev/cu.usbserial-...). */
const OTHER_PATTERNS: readonly RegExp[] = [/^(\\\\\.\\)?COM\d+$/i, /^\/dev\/(cu|tty)\.(?!Bluetooth-Incoming-Port)/];

/** Candidate adapter ports, most likely first, without duplicates. */
export async function findSerialPorts(options: PortScanOptions = {}): Promise<string[]> {
  const list = options.list ?? defaultList;
  const read = options.readdir ?? ((dir: string) => readdir(dir));
  const resolvePath = options.realpath ?? ((path: string) => realpath(path));

  const [listed, scanned] = await Promise.all([
    withTimeout(safely(list), options.listTimeoutMs ?? 2000).then((ports) => ports.map((p) => p.path)),
    scanDeviceFolders(read),
  ]);
  const seen = new Set<string>();
  const found: string[] = [];
  for (const path of [...scanned, ...listed]) {
    if (typeof path !== 'string' || !isCandidate(path)) continue;
    // /dev/serial/by-id/usb-FTDI... and /dev/ttyUSB0 are the same device: try it once.
    const device = await resolvePath(path).catch(() => path);
    if (seen.has(device)) continue;
    seen.add(device);
    found.push(device);
  }
  return found.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true }));
}

function isCandidate(path: string): boolean {
  return DEVICE_PATTERNS.some((p) => p.test(path)) || OTHER_PATTERNS.some((p) => p.test(path)) || path.startsWith('/dev/serial/by-id/');
}

function rank(path: string): number {
  const index = DEVICE_PATTERNS.findIndex((p) => p.test(path));
  return index < 0 ? DEVICE_PATTERNS.length : index;
}

async function scanDeviceFolders(read: (dir: string) => Promise<string[]>): Promise<string[]> {
  const names = async (dir: string): Promise<string[]> => (await read(dir).catch(() => [] as string[])).map((name) => join(dir, name));
  const [byId, dev] = await Promise.all([names('/dev/serial/by-id'), names('/dev')]);
  return [...byId, ...dev.filter((path) => DEVICE_PATTERNS.some((p) => p.test(path)))];
}

async function defaultList(): Promise<ReadonlyArray<{ path: string }>> {
  const { SerialPort } = await import('serialport');
  return SerialPort.list();
}

/** list() may throw synchronously, reject, or resolve something odd: all become []. */
async function safely(list: () => Promise<ReadonlyArray<{ path: string }>>): Promise<ReadonlyArray<{ path: string }>> {
  try {
    const ports = await list();
    return Array.isArray(ports) ? ports.filter((p) => p && typeof p.path === 'string') : [];
  } catch {
    return [];
  }
}

function withTimeout<T extends ReadonlyArray<unknown>>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve([] as unknown as T), ms);
    void promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}
