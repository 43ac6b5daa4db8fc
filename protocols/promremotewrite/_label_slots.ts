/**
 * Positional label reuse for BlockBuilder's string path: parsers repeat the
 * labels of the previous series at the same positions (the fields of one
 * Influx line share every tag), so a label equal by content to the previous
 * series' label at its position can be copied from that series' bytes in
 * the block instead of being encoded again. This keeps, per position, the
 * label (name, value) and where its bytes are, for the series being built
 * and the one before. The strings are pinned (often slices of a request
 * body) until clear().
 *
 * @module
 */

/** Label positions considered for reuse (labels past this are always encoded). */
export const LABEL_SLOTS = 32;

const slots = (): (string | undefined)[] => new Array<string | undefined>(LABEL_SLOTS).fill(undefined);

export class LabelSlots {
  #curNames = slots();
  #curValues = slots();
  #curStart = new Int32Array(LABEL_SLOTS);
  #curEnd = new Int32Array(LABEL_SLOTS);
  #prevNames = slots();
  #prevValues = slots();
  #prevStart = new Int32Array(LABEL_SLOTS);
  #prevEnd = new Int32Array(LABEL_SLOTS);
  /** Labels of the previous series usable as a source (0 after invalidate()). */
  #prevCount = 0;

  /** Whether the previous series had `name`=`value` at `slot` (then prevStart/prevEnd say where). */
  matches(slot: number, name: string, value: string): boolean {
    return slot < this.#prevCount && this.#prevNames[slot] === name && this.#prevValues[slot] === value;
  }

  prevStart(slot: number): number {
    return this.#prevStart[slot]!;
  }

  prevEnd(slot: number): number {
    return this.#prevEnd[slot]!;
  }

  /** The current series' label at `slot` is `name`=`value`, at block bytes [start, end). */
  record(slot: number, start: number, end: number, name: string, value: string): void {
    this.#curStart[slot] = start;
    this.#curEnd[slot] = end;
    this.#curNames[slot] = name;
    this.#curValues[slot] = value;
  }

  /** The current series' label at `slot` is not one a later series can match (written from bytes). */
  forget(slot: number): void {
    this.#curNames[slot] = undefined;
  }

  /**
   * The current series (its first `n` slots) ended and becomes the previous
   * one; its bytes moved by `shift` when its length prefix was resized.
   * `usable` is false when it cannot be a source (it has raw labels).
   */
  rotate(n: number, shift: number, usable: boolean): void {
    const names = this.#prevNames;
    const values = this.#prevValues;
    const start = this.#prevStart;
    const end = this.#prevEnd;
    this.#prevNames = this.#curNames;
    this.#prevValues = this.#curValues;
    this.#prevStart = this.#curStart;
    this.#prevEnd = this.#curEnd;
    this.#curNames = names;
    this.#curValues = values;
    this.#curStart = start;
    this.#curEnd = end;
    if (shift !== 0) {
      for (let i = 0; i < n; i++) {
        this.#prevStart[i]! += shift;
        this.#prevEnd[i]! += shift;
      }
    }
    this.#prevCount = usable ? n : 0;
  }

  /** The previous series is no source any more (its bytes were rolled back or are not label-by-label). */
  invalidate(): void {
    this.#prevCount = 0;
  }

  /** Forgets everything, releasing the pinned strings. */
  clear(): void {
    this.#prevCount = 0;
    this.#prevNames.fill(undefined);
    this.#prevValues.fill(undefined);
    this.#curNames.fill(undefined);
    this.#curValues.fill(undefined);
  }
}
