/**
 * The watch callbacks' way out to the clients. Socket.IO writes a broadcast to every socket in
 * one go, about 10 µs of socket write per client: with a thousand clients each value holds the
 * event loop for ~10 ms, and the four values of one multi-PID reply for ~40 ms, while a
 * client's `query` waits. Here broadcasts write to at most SLICE sockets per turn of the event
 * loop; a broadcast to more clients goes out in slices, each one Socket.IO broadcast (encoded
 * once, not once per socket), so incoming messages are read and answered between slices.
 *
 * Order is kept: broadcasts leave in the order they were made, so every client receives them
 * in that order. With few clients nothing changes: up to SLICE socket writes per turn go out at
 * once. With a shared (Redis) adapter a broadcast goes out whole, since it must reach other
 * gateways' clients too; it still waits for its turn.
 */
import type { Server } from 'socket.io';
import type { Broadcaster } from '../watch/pipelines.js';

/** Sockets written per turn of the event loop: about half a millisecond of work. */
export const SLICE = 50;

interface Job {
  /** Sockets it writes to. */
  sockets: number;
  write(): void;
}

export class PacedFanOut implements Broadcaster {
  private readonly pending: Job[] = [];
  /** Sockets that may still be written to in this turn of the event loop. */
  private budget = SLICE;
  private nextTurn: NodeJS.Immediate | null = null;
  /** The adapter Socket.IO started with; another one (Redis) shares broadcasts between gateways. */
  private readonly localAdapter: unknown;

  constructor(private readonly io: Server) {
    this.localAdapter = io.adapter();
  }

  emit(event: string, ...args: unknown[]): void {
    const sockets = this.io.of('/').sockets;
    if (sockets.size <= SLICE || this.io.adapter() !== this.localAdapter) {
      return this.send({ sockets: sockets.size, write: () => this.io.emit(event, ...args) });
    }
    const ids = [...sockets.keys()];
    for (let i = 0; i < ids.length; i += SLICE) {
      // A socket's id is a room it alone is in: one broadcast to a slice of them.
      const slice = ids.slice(i, i + SLICE);
      this.send({ sockets: slice.length, write: () => this.io.to(slice).emit(event, ...args) });
    }
  }

  to(room: string): { emit(event: string, ...args: unknown[]): void } {
    return {
      emit: (event, ...args) => {
        const sockets = this.io.of('/').adapter.rooms.get(room)?.size ?? 0;
        this.send({ sockets, write: () => this.io.to(room).emit(event, ...args) });
      },
    };
  }

  /** Drops what has not been sent yet (the server is closing). */
  close(): void {
    this.pending.length = 0;
    if (this.nextTurn) clearImmediate(this.nextTurn);
    this.nextTurn = null;
  }

  /** Writes now while this turn's budget lasts and nothing waits; else queues. */
  private send(job: Job): void {
    if (this.pending.length === 0 && this.budget > 0) this.run(job);
    else this.pending.push(job);
    this.scheduleTurn();
  }

  private run(job: Job): void {
    this.budget -= job.sockets;
    job.write();
  }

  /** The budget renews on the next turn, after the event loop has read incoming messages. */
  private scheduleTurn(): void {
    if (this.nextTurn || (this.budget === SLICE && this.pending.length === 0)) return;
    this.nextTurn = setImmediate(() => {
      this.nextTurn = null;
      this.budget = SLICE;
      while (this.pending.length > 0 && this.budget > 0) this.run(this.pending.shift()!);
      this.scheduleTurn();
    });
  }
}
