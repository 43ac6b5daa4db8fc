/**
 * An array-backed FIFO for FileQueue's bookkeeping (memory-fallback blocks,
 * ids of handed-out blocks): shift() moves a head index instead of moving
 * the array, and the consumed prefix is dropped once it is most of the array,
 * so both ends are amortised O(1).
 *
 * @module
 */

/** Consumed entries kept at most before the array is compacted (when they are also more than half of it). */
const COMPACT_AFTER = 1024;

export class Fifo<T> {
  #items: T[] = [];
  #head = 0;

  /** Number of entries. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  push(v: T): void {
    this.#items.push(v);
  }

  /** The first entry, or undefined when empty. */
  peek(): T | undefined {
    return this.#head < this.#items.length ? this.#items[this.#head] : undefined;
  }

  /** Removes and returns the first entry; the FIFO must not be empty. */
  shift(): T {
    const items = this.#items;
    if (this.#head >= items.length) throw new Error("BUG: Fifo.shift() on an empty FIFO");
    const v = items[this.#head]!;
    this.#head++;
    if (this.#head === items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > COMPACT_AFTER && this.#head * 2 > items.length) {
      this.#items = items.slice(this.#head);
      this.#head = 0;
    }
    return v;
  }

  /** Removes and returns all entries, in order. */
  drain(): T[] {
    const rest = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return rest;
  }
}
