/**
 * The package as npm publishes it: `npm pack` (which builds), the tarball installed into an empty
 * folder the way a user's project installs it, then its bin run from there: `validate` on the
 * shipped obdio.yaml, a gateway on the simulated car answering a Socket.IO client, the library
 * entry (bundled) started from a user's code, and a TypeScript consumer compiled against the
 * shipped declarations without the project's development-only type packages (what a library
 * user has).
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { io as connectClient } from 'socket.io-client';
import { declarationImports } from '../../scripts/prune-declarations.js';
import { withServerPort } from '../helpers/server-port.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** Installs may download; a slow registry must not fail the suite with a short default. */
const NPM_TIMEOUT_MS = 240_000;

describe('the published package, installed from its tarball', { timeout: 300_000 }, () => {
  let dir: string;
  let app: string;
  let installed: string;
  let bin: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'obdio-pack-'));
    await run(NPM, ['pack', '--pack-destination', dir, '--no-audit', '--no-fund'], {
      cwd: ROOT,
      timeout: NPM_TIMEOUT_MS,
      maxBuffer: 16 << 20,
    });
    const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
    assert.ok(tarball, `npm pack wrote no tarball into ${dir}`);
    app = join(dir, 'app');
    await mkdir(app);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'tarball-user', private: true, type: 'module' }));
    await run(NPM, ['install', join(dir, tarball), '--prefer-offline', '--no-audit', '--no-fund', '--omit=dev'], {
      cwd: app,
      timeout: NPM_TIMEOUT_MS,
      maxBuffer: 16 << 20,
    });
    installed = join(app, 'node_modules', 'obdio-gateway');
    bin = join(app, 'node_modules', '.bin', 'obdio-gateway');
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('ships what it needs and nothing of the build: LICENSE, compiled code, no source maps without sources', () => {
    const files = listFiles(installed);
    for (const needed of [
      'LICENSE',
      'README.md',
      'obdio.yaml',
      'bin/obdio-gateway.js',
      'dist/cli.js',
      'dist/index.d.ts',
      'dashboard/index.html',
    ]) {
      assert.ok(files.includes(needed), `${needed} is in the package`);
    }
    assert.deepEqual(
      files.filter((file) => file.startsWith('src/') || file.startsWith('test/')),
      [],
      'no sources or tests',
    );
    assert.deepEqual(
      files.filter((file) => file.endsWith('.map')),
      [],
      'no source maps (their sources are not shipped)',
    );
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      license: string;
      dependencies: Record<string, string>;
    };
    assert.equal(manifest.license, 'MIT');
    // Declarations import only node's modules, the package's own files and its dependencies: no
    // development-only type package (a user does not have @types/koa).
    const imported = new Set<string>();
    for (const file of files.filter((name) => name.endsWith('.d.ts'))) {
      for (const specifier of declarationImports(readFileSync(join(installed, file), 'utf8'))) {
        if (!specifier.startsWith('.') && !specifier.startsWith('node:'))
          imported.add(
            specifier
              .split('/')
              .slice(0, specifier.startsWith('@') ? 2 : 1)
              .join('/'),
          );
      }
    }
    assert.deepEqual(
      [...imported].filter((name) => !(name in manifest.dependencies)),
      [],
    );
    assert.match(readFileSync(join(installed, 'LICENSE'), 'utf8'), /^MIT License/);
  });

  test('the installed bin validates the shipped obdio.yaml', async () => {
    const { stdout } = await run(process.execPath, [bin, 'validate', join(installed, 'obdio.yaml')], { cwd: app });
    assert.match(stdout, /obdio\.yaml: ok$/m);
  });

  test('the installed bin runs the shipped obdio.yaml on the simulator: a client gets an answer; SIGTERM stops it', async () => {
    const config = join(app, 'obdio.yaml');
    // The shipped file as it is, on any free port.
    await writeFile(config, withServerPort(readFileSync(join(installed, 'obdio.yaml'), 'utf8'), 0));
    const child = spawn(process.execPath, [bin, config, '--no-watch'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const logged = (pattern: RegExp): Promise<RegExpExecArray> =>
        new Promise((resolve, reject) => {
          const check = (): void => {
            const match = pattern.exec(output);
            if (match) resolve(match);
          };
          check();
          child.stdout.on('data', check);
          void exited.then((code) => reject(new Error(`the gateway exited with ${code}:\n${output}`)));
        });
      // Not a terminal: JSON lines.
      const url = (await logged(/"msg":"listening on (http:\/\/127\.0\.0\.1:\d+)"/))[1]!;
      await logged(/"msg":"adapter ready on sim/);
      const socket = connectClient(url, { transports: ['websocket'], forceNew: true, reconnection: false });
      try {
        const answer = (await socket.timeout(20_000).emitWithAck('query', 'RPM')) as { command?: unknown; value?: unknown };
        assert.equal(typeof answer.value, 'number', JSON.stringify(answer));
      } finally {
        socket.disconnect();
      }
      child.kill('SIGTERM');
      assert.equal(await exited, 0, output);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  test('the library entry runs from the installed package: a gateway started from code answers a client', async () => {
    await writeFile(join(app, 'library.yaml'), 'server: { port: 0 }\n');
    await writeFile(
      join(app, 'library.mjs'),
      [
        "import { Gateway, formatConfigError, loadConfig } from 'obdio-gateway';",
        "import { io } from 'socket.io-client';",
        "const loaded = await loadConfig('library.yaml');",
        "if (!loaded.ok) throw new Error(loaded.errors.map(formatConfigError).join('\\n'));",
        'const gateway = await Gateway.start(loaded.spec, { registry: loaded.registry });',
        'await gateway.ready();',
        "const socket = io(gateway.url, { transports: ['websocket'], reconnection: false });",
        "const answer = await socket.timeout(20_000).emitWithAck('query', 'RPM');",
        'socket.disconnect();',
        'await gateway.stop();',
        'console.log(JSON.stringify({ name: answer.command.name, value: typeof answer.value }));',
        '',
      ].join('\n'),
    );
    const { stdout } = await run(process.execPath, ['library.mjs'], { cwd: app, timeout: 60_000 });
    assert.deepEqual(JSON.parse(stdout.trim().split('\n').at(-1)!), { name: 'RPM', value: 'number' });
  });

  test('a TypeScript consumer compiles against the shipped declarations without the dev-only @types packages', async () => {
    const consumer = join(app, 'consumer.ts');
    await writeFile(
      consumer,
      [
        "import { Gateway, formatConfigError, loadConfig, type CommandRegistry, type ServerToClientEvents, type Spec } from 'obdio-gateway';",
        "const loaded = await loadConfig('obdio.yaml');",
        "if (!loaded.ok) throw new Error(loaded.errors.map(formatConfigError).join('\\n'));",
        'const spec: Spec = loaded.spec;',
        'const registry: CommandRegistry = loaded.registry;',
        'const gateway = await Gateway.start(spec, { registry });',
        'const url: string = gateway.url;',
        'const events: keyof ServerToClientEvents | null = null;',
        'console.log(url, events);',
        'await gateway.stop();',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          // Check the package's declaration files too: that is where a missing type would be.
          skipLibCheck: false,
          // Node's own types, as every Node project has them; nothing else of the project's devDependencies.
          typeRoots: [join(ROOT, 'node_modules', '@types')],
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', app], { cwd: app }).catch(
      (error: { stdout?: string; stderr?: string }) => error,
    );
    assert.equal('code' in result ? result.code : 0, 0, `tsc found errors:\n${result.stdout ?? ''}${result.stderr ?? ''}`);
  });
});

/** Every file below `root`, as paths relative to it with forward slashes. */
function listFiles(root: string, prefix = ''): string[] {
  return readdirSync(join(root, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : listFiles(root, relative);
    return [relative];
  });
}
