/**
 * FileQueue's memory cache of recently written blocks, by id, oldest first and
 * up to a byte limit (the oldest are evicted), so next() needs no disk read
 * while the sender keeps up. An entry is removed when its block is handed out
 * or dropped.
 *
 * @module
 */
import type { QueuedBlock } from "./_types.ts";

export class BlockCache {
  readonly #blocks = new Map<number, QueuedBlock>();
  readonly #limit: number;
  #bytes = 0;

  constructor(limitBytes: number) {
    this.#limit = limitBytes;
  }

  /** Payload bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Keeps a block just written to disk at `id`, unless it is empty or larger than the whole cache. */
  add(id: number, data: Uint8Array, rows: number): void {
    if (this.#limit < data.length || data.length === 0) return;
    this.#blocks.set(id, { id, data, rows });
    this.#bytes += data.length;
    while (this.#bytes > this.#limit) {
      const [oldId, old] = this.#blocks.entries().next().value!;
      this.#blocks.delete(oldId);
      this.#bytes -= old.data.length;
    }
  }

  get(id: number): QueuedBlock | undefined {
    return this.#blocks.get(id);
  }

  /** Removes and returns the block at `id`, if cached. */
  take(id: number): QueuedBlock | undefined {
    const b = this.#blocks.get(id);
    if (b !== undefined) {
      this.#blocks.delete(id);
      this.#bytes -= b.data.length;
    }
    return b;
  }
}
