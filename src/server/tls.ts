/**
 * TLS for the gateway's one server (`server.tls.cert/key`): the PEM files are read at start-up
 * and on reloads, and a file that cannot be used is an error naming the file and the fix.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { TlsSpec } from '../config/spec.js';

export interface TlsCredentials {
  cert: Buffer;
  key: Buffer;
}

/** Reads and checks the certificate and key; throws an Error a user can act on. null: plain HTTP. */
export function loadTlsCredentials(spec: TlsSpec | null): TlsCredentials | null {
  if (!spec) return null;
  const read = (file: string, what: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
      throw new Error(`server.tls.${what}: cannot read ${file} (${why})`);
    }
  };
  const credentials = { cert: read(spec.cert, 'cert'), key: read(spec.key, 'key') };
  try {
    // Fails now, with the reason, rather than on the first client's handshake.
    createSecureContext(credentials);
  } catch (error) {
    throw new Error(
      `server.tls: the certificate ${spec.cert} and key ${spec.key} cannot be used together (${(error as Error).message}); both must be PEM files and the key must belong to the certificate`,
    );
  }
  return credentials;
}
