/**
 * An obdio.yaml like the repository's (and the package's) with its `server.port: 48484`
 * replaced, e.g. by 0 (any free port) so that parallel runs do not collide.
 */
export function withServerPort(yaml: string, port: number): string {
  const replaced = yaml.replace(/^(\s+port:\s*)48484\b/m, `$1${port}`);
  if (replaced === yaml) throw new Error('this obdio.yaml has no `port: 48484` (under server:) to replace');
  return replaced;
}
