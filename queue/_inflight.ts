/**
 * Disk blocks that a FileQueue handed out and that are not done yet: their
 * ids (queue offsets) in offset order and their framed sizes. Acks may come
 * in any order; {@link InflightBlocks.ackOffset} is the smallest offset not
 * done, which metainfo.json saves as the reader offset.
 *
 * @module
 */
import { Fifo } from "./_fifo.ts";

export class InflightBlocks {
  /** Ids in offset order; the first is never done (done ids are shifted off). */
  readonly #ids = new Fifo<number>();
  readonly #size = new Map<number, number>();

  /** Number of blocks handed out and not done. */
  get count(): number {
    return this.#size.size;
  }

  /** Records a handed-out block; ids must come in increasing order. */
  add(id: number, size: number): void {
    this.#ids.push(id);
    this.#size.set(id, size);
  }

  /** Marks `id` done; returns its framed size, or -1 if it is not in flight. */
  done(id: number): number {
    const size = this.#size.get(id);
    if (size === undefined) return -1;
    this.#size.delete(id);
    const ids = this.#ids;
    for (let first = ids.peek(); first !== undefined && !this.#size.has(first); first = ids.peek()) ids.shift();
    return size;
  }

  /** Offset below which every disk block is done: the first one in flight, else `readPos`. */
  ackOffset(readPos: number): number {
    return this.#ids.peek() ?? readPos;
  }
}
