/**
 * A parse worker's push requests between their arrival and their answer: a
 * request is answered (204, or 503 when a block of it could not be queued)
 * once no block being built holds its samples and every flushed block that
 * does has been acknowledged by the sender. Answers are batched and posted
 * to the main thread by post().
 *
 * @module
 */

import type { PushResponse } from "./messages.ts";

export class PendingRequests {
  /** Requests with samples in the block being built. */
  readonly #inCurrent = new Set<number>();
  /** Request → number of flushed blocks holding its samples not yet acked. */
  readonly #outstanding = new Map<number, { blocks: number; failed: boolean }>();
  /** Block seq → requests whose samples it holds. */
  readonly #blockRequests = new Map<number, number[]>();
  #responses: PushResponse[] = [];
  readonly #post: (items: PushResponse[]) => void;

  constructor(post: (items: PushResponse[]) => void) {
    this.#post = post;
  }

  /** A request starts writing into the current block. */
  begin(reqId: number): void {
    this.#outstanding.set(reqId, { blocks: 0, failed: false });
    this.#inCurrent.add(reqId);
  }

  /** The request has (again) samples in the block being built. */
  inCurrent(reqId: number): void {
    this.#inCurrent.add(reqId);
  }

  /** The request has no samples in the block being built (none written, or they went elsewhere). */
  notInCurrent(reqId: number): void {
    this.#inCurrent.delete(reqId);
  }

  /** The request wrote nothing and is answered by the caller (an error). */
  forget(reqId: number): void {
    this.#inCurrent.delete(reqId);
    this.#outstanding.delete(reqId);
  }

  /** Queues an answer for the next post(). */
  respond(r: PushResponse): void {
    this.#responses.push(r);
  }

  /** The block being built was flushed as block `seq`: its requests now wait for that block's ack. */
  flushed(seq: number): void {
    const reqs = [...this.#inCurrent];
    this.#inCurrent.clear();
    for (const r of reqs) this.#outstanding.get(r)!.blocks++;
    this.#blockRequests.set(seq, reqs);
  }

  /** Block `seq` was acknowledged; `stored` false when it could not be queued. */
  acked(seq: number, stored: boolean): void {
    const reqs = this.#blockRequests.get(seq);
    this.#blockRequests.delete(seq);
    if (reqs === undefined) return;
    for (const r of reqs) {
      const st = this.#outstanding.get(r)!;
      st.blocks--;
      if (!stored) st.failed = true;
      this.finish(r);
    }
  }

  /** Answers the request if nothing of it waits any more. */
  finish(reqId: number): void {
    const st = this.#outstanding.get(reqId);
    if (st === undefined || st.blocks > 0 || this.#inCurrent.has(reqId)) return;
    this.#outstanding.delete(reqId);
    this.respond(
      st.failed
        ? {
          reqId,
          status: 503,
          message: "cannot queue the data: the disk queue and the memory fallback are full; retry later",
        }
        : { reqId, status: 204 },
    );
  }

  /** Posts the queued answers, if any. */
  post(): void {
    if (this.#responses.length === 0) return;
    const items = this.#responses;
    this.#responses = [];
    this.#post(items);
  }
}
