// The dashboard's only way to the gateway: its public Socket.IO events, as any client uses them.

const TOKEN_KEY = 'obdio.token';
const ANSWER_TIMEOUT_MS = 10000;

/** Connects to the gateway that served this page (same origin, default Socket.IO path). */
export function connectGateway() {
  if (typeof globalThis.io !== 'function') throw new Error('the Socket.IO client did not load (/_obdio/vendor/socket.io.min.js)');
  // A token set with server.auth.token is asked for once and kept for this browser tab.
  return globalThis.io({
    auth: (send) => {
      const token = sessionStorage.getItem(TOKEN_KEY);
      send(token ? { token } : {});
    },
  });
}

export function rememberToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

/** A gateway URL carrying the token when one was given: a download link cannot send headers. */
export function withToken(url) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}` : url;
}

/**
 * Emits an event and waits for its acknowledgement. Resolves `{ ok: true, value }` or
 * `{ ok: false, error: { code, message } }` (the gateway's error, or TIMEOUT); never rejects.
 */
export async function request(socket, event, ...args) {
  try {
    const reply = await socket.timeout(ANSWER_TIMEOUT_MS).emitWithAck(event, ...args);
    if (isErrorReply(reply)) return { ok: false, error: reply.error };
    return { ok: true, value: reply };
  } catch {
    return { ok: false, error: { code: 'TIMEOUT', message: `no answer to '${event}' within ${ANSWER_TIMEOUT_MS / 1000} s` } };
  }
}

function isErrorReply(reply) {
  return reply !== null && typeof reply === 'object' && !Array.isArray(reply) && reply.error && typeof reply.error.code === 'string';
}

/** Events this gateway version does not have answer UNKNOWN_EVENT: the page then falls back. */
export function isMissingEvent(result) {
  return !result.ok && result.error.code === 'UNKNOWN_EVENT';
}
