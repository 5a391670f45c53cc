/**
 * A child process of the fan-out bench (bench/fanout.ts): opens `count` Socket.IO clients to
 * the gateway and counts, per client, the values it receives whose decode time falls in the
 * measured window. Kept out of the gateway's and the prober's processes so their figures are
 * their own. Talks to the parent over IPC:
 *
 *   parent → { url, count, event }     connect (answers { connected })
 *   parent → { window: [from, to] }    after the window and a grace: answers { counts, keys }
 *
 * `keys` are the values (command and decode time) that any of these clients saw in the window,
 * so the parent can tell what the gateway sent from what each client received.
 */
import { io as connectClient, type Socket } from 'socket.io-client';

interface Value {
  command: { name: string };
  time: number;
}

type Message = { url: string; count: number; event: string } | { window: [number, number] };

const send = (message: unknown): void => void process.send!(message);
let sockets: Socket[] = [];
let times: number[][] = [];

async function connect(url: string, count: number, event: string): Promise<void> {
  // A few at a time: a thousand handshakes at once measure the accept queue, not the fan-out.
  const batch = 25;
  for (let i = 0; i < count; i += batch) {
    const opened = await Promise.all(
      Array.from({ length: Math.min(batch, count - i) }, async () => {
        const socket = connectClient(url, { transports: ['websocket'], forceNew: true, reconnection: false });
        await new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('connect_error', reject);
        });
        return socket;
      }),
    );
    sockets.push(...opened);
  }
  times = sockets.map(() => []);
  sockets.forEach((socket, index) => {
    const seen = times[index]!;
    socket.on(event, (value: Value) => seen.push(value.time, nameCode(value.command.name)));
  });
}

/** Command names as small numbers, so a client's record is a flat array of numbers. */
const names = new Map<string, number>();
function nameCode(name: string): number {
  let code = names.get(name);
  if (code === undefined) names.set(name, (code = names.size));
  return code;
}

function report([from, to]: [number, number]): void {
  const nameOf = [...names.keys()];
  const keys = new Set<string>();
  const counts = times.map((seen) => {
    let count = 0;
    for (let i = 0; i < seen.length; i += 2) {
      const time = seen[i]!;
      if (time < from || time >= to) continue;
      count++;
      keys.add(`${nameOf[seen[i + 1]!]}@${time}`);
    }
    return count;
  });
  for (const socket of sockets) socket.disconnect();
  sockets = [];
  send({ counts, keys: [...keys] });
}

process.on('message', (message: Message) => {
  if ('url' in message) {
    connect(message.url, message.count, message.event).then(
      () => send({ connected: sockets.length }),
      (error: Error) => send({ error: error.message }),
    );
  } else {
    report(message.window);
  }
});
