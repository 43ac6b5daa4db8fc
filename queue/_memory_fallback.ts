/**
 * FileQueue's memory fallback: blocks kept in memory while disk writes fail
 * (full, EIO), in FIFO order and up to a byte limit. A block leaves it when it
 * is moved back to disk, dropped, or handed out (under a negative id) and then
 * done; a handed-out block's bytes count against the limit until done.
 * Blocks still here when the process dies are lost.
 *
 * @module
 */
import { Fifo } from "./_fifo.ts";
import type { QueuedBlock } from "./_types.ts";

export class MemoryFallback {
  /** The limit in payload bytes. */
  readonly limit: number;
  /** Blocks not handed out, oldest first. */
  #pending = new Fifo<Uint8Array>();
  /** Handed-out blocks by (negative) id. */
  readonly #inflight = new Map<number, Uint8Array>();
  #bytes = 0;
  #seq = 0;

  constructor(limitBytes: number) {
    this.limit = limitBytes;
  }

  /** Payload bytes held, handed out or not. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Blocks not handed out. */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Blocks handed out and not done. */
  get inflightCount(): number {
    return this.#inflight.size;
  }

  /** Appends a block; false (nothing kept) when it would exceed the limit. */
  tryPush(block: Uint8Array): boolean {
    if (this.#bytes + block.length > this.limit) return false;
    this.#pending.push(block);
    this.#bytes += block.length;
    return true;
  }

  /** The oldest block not handed out, or undefined. */
  peek(): Uint8Array | undefined {
    return this.#pending.peek();
  }

  /** Removes the oldest block not handed out (moved to disk or dropped); there must be one. */
  remove(): Uint8Array {
    const data = this.#pending.shift();
    this.#bytes -= data.length;
    return data;
  }

  /** Hands out the oldest block under a new negative id, or returns null if there is none. */
  handOut(): QueuedBlock | null {
    if (this.#pending.length === 0) return null;
    const data = this.#pending.shift();
    const id = -++this.#seq;
    this.#inflight.set(id, data);
    return { id, data, rows: 0 };
  }

  /** Forgets a handed-out block; returns its payload length, or -1 for an unknown id. */
  done(id: number): number {
    const data = this.#inflight.get(id);
    if (data === undefined) return -1;
    this.#inflight.delete(id);
    this.#bytes -= data.length;
    return data.length;
  }

  /** Puts the handed-out blocks back in front of the pending ones (on close, so they are saved to disk first). */
  requeueInflight(): void {
    const all = new Fifo<Uint8Array>();
    for (const data of this.#inflight.values()) all.push(data);
    for (const data of this.#pending.drain()) all.push(data);
    this.#inflight.clear();
    this.#pending = all;
  }
}
