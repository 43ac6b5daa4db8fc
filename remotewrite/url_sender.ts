/**
 * Delivery to one `-remoteWrite.url`: a queue of compressed blocks and
 * `-remoteWrite.queues` concurrent send loops that drain it.
 *
 * Runs on the sender thread. A loop takes the oldest blocks not yet handed
 * out, POSTs them as one request and retries it with back-off until the
 * remote takes it (or rejects it for good); only then does it take the next
 * ones, as vmagent's workers do. Blocks are marked done in the queue after
 * delivery, so a block in flight during a crash is sent again after restart
 * (at-least-once).
 *
 * Packing: queue records stay small, so a push is acknowledged as soon as
 * its own samples are on disk, but requests are large. A loop joins the
 * records it takes (snappyConcat: no decompression) up to
 * `-remoteWrite.maxBlockSize` uncompressed bytes and
 * `-remoteWrite.maxRowsPerBlock` samples; while the batch is under half of
 * both it waits for more, at most `-remoteWrite.flushInterval` (vmagent's
 * flush period) after taking its first record. Only one loop waits like
 * this at a time; the others take what it cannot.
 *
 * @module
 */

import type { Logger } from "../log/logger.ts";
import type { Metric, Registry } from "../selfmetrics/registry.ts";
import { snappyConcat, snappyDecodedLength } from "../protocols/_shared/snappy.ts";
import { Backoff, type ClientOptions, PermanentError, RecoverableError, sendBlock } from "./client.ts";

/** A block handed out by the queue; `rows` is 0 when unknown. */
export interface QueuedBlock {
  readonly id: number;
  readonly data: Uint8Array;
  readonly rows: number;
}

/** Where a written block ended up; see queue/file_queue.ts. */
export type WriteOutcome = "disk" | "memory" | "dropped";

/** The part of the persistent queue the sender uses. */
export interface BlockQueue {
  write(block: Uint8Array, rows?: number): WriteOutcome;
  next(): QueuedBlock | null;
  nextIf(accept: (data: Uint8Array, rows: number) => boolean): QueuedBlock | null;
  done(id: number): void;
  pendingBytes(): number;
  pendingBlocks(): number;
}

export interface UrlSenderOptions {
  client: ClientOptions;
  queue: BlockQueue;
  /** Concurrent send loops (`-remoteWrite.queues`). */
  concurrency: number;
  retryMinMs: number;
  retryMaxMs: number;
  registry: Registry;
  logger: Logger;
  /** How long in-flight sends may take after stop() before they are aborted. */
  stopGraceMs?: number;
  /** Packing limits of one request: uncompressed bytes (`-remoteWrite.maxBlockSize`) and samples (`-remoteWrite.maxRowsPerBlock`). */
  maxRequestBytes?: number;
  maxRequestRows?: number;
  /** Longest wait for more records to pack (`-remoteWrite.flushInterval`); 0 = send at once. */
  lingerMs?: number;
}

interface SenderMetrics {
  blocksSent: Metric;
  bytesSent: Metric;
  errors: Metric;
  retries: Metric;
  dropped: Metric;
  sendSeconds: Metric;
  durationSum: Metric;
  durationCount: Metric;
}

/** Sends the blocks of one queue to one URL. */
export class UrlSender {
  #o: UrlSenderOptions;
  #m: SenderMetrics;
  #stopping = false;
  #wakers: (() => void)[] = [];
  #loops: Promise<void>[] = [];
  #abort = new AbortController();
  #requestsByStatus = new Map<number, Metric>();
  /** Cancels pending back-off sleeps when stop() is called. */
  #onStop = new Set<() => void>();
  /** Wakes the loop that waits for more records to pack, if one does. */
  #lingerWake: (() => void) | null = null;

  constructor(o: UrlSenderOptions) {
    this.#o = o;
    const url = { url: o.client.displayName };
    const r = o.registry;
    this.#m = {
      blocksSent: r.metric("vmagent_remotewrite_blocks_sent_total", url),
      bytesSent: r.metric("vmagent_remotewrite_bytes_sent_total", url),
      errors: r.metric("vmagent_remotewrite_errors_total", url),
      retries: r.metric("vmagent_remotewrite_retries_count_total", url),
      dropped: r.metric("vmagent_remotewrite_packets_dropped_total", url),
      sendSeconds: r.metric("vmagent_remotewrite_send_duration_seconds_total", url),
      durationSum: r.metric("vmagent_remotewrite_duration_seconds_sum", url),
      durationCount: r.metric("vmagent_remotewrite_duration_seconds_count", url),
    };
    r.metric("vmagent_remotewrite_queues", url).set(o.concurrency);
  }

  /** Starts the send loops; returns at once. */
  start(): void {
    for (let i = 0; i < this.#o.concurrency; i++) this.#loops.push(this.#loop());
  }

  /** Queues a block (compressed WriteRequest) and wakes an idle loop. */
  push(block: Uint8Array, rows = 0): WriteOutcome {
    const outcome = this.#o.queue.write(block, rows);
    const linger = this.#lingerWake;
    if (linger !== null) {
      this.#lingerWake = null;
      linger();
    } else this.#wakeOne();
    return outcome;
  }

  /**
   * Stops the loops. In-flight sends get `stopGraceMs` (default 5s, as
   * vmagent) to finish; unfinished blocks stay in the queue for next start.
   * Safe to call twice.
   */
  async stop(): Promise<void> {
    if (!this.#stopping) {
      this.#stopping = true;
      for (const w of this.#wakers.splice(0)) w();
      this.#lingerWake?.();
      this.#lingerWake = null;
      for (const cancel of [...this.#onStop]) cancel();
      const grace = setTimeout(() => this.#abort.abort(), this.#o.stopGraceMs ?? 5000);
      await Promise.all(this.#loops);
      clearTimeout(grace);
    }
  }

  #wakeOne(): void {
    // A loop waiting to pack takes new records first (see push()).
    this.#wakers.shift()?.();
  }

  #statusMetric(status: number): Metric {
    let m = this.#requestsByStatus.get(status);
    if (m === undefined) {
      m = this.#o.registry.metric("vmagent_remotewrite_requests_total", {
        url: this.#o.client.displayName,
        status_code: String(status),
      });
      this.#requestsByStatus.set(status, m);
    }
    return m;
  }

  /** Sleeps `ms` unless stop() comes first; resolves false when stopping. */
  #sleep(ms: number): Promise<boolean> {
    if (this.#stopping) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (ok: boolean) => {
        clearTimeout(t);
        this.#onStop.delete(cancel);
        resolve(ok);
      };
      const cancel = () => finish(false);
      const t = setTimeout(() => finish(true), ms);
      this.#onStop.add(cancel);
    });
  }

  async #loop(): Promise<void> {
    const q = this.#o.queue;
    while (!this.#stopping) {
      const first = q.next();
      if (first === null) {
        await new Promise<void>((resolve) => this.#wakers.push(resolve));
        continue;
      }
      const batch = await this.#pack(first);
      // More than this batch could take is waiting: let an idle loop start on it.
      if (this.#hasNext()) this.#wakeOne();
      const body = batch.length === 1 ? first.data : snappyConcat(batch.map((b) => b.data));
      const delivered = await this.#deliver(body);
      // Not delivered means we are stopping: the blocks stay queued.
      if (delivered) { for (const b of batch) q.done(b.id); }
    }
  }

  /** Takes more records after `first` while they fit the request limits (see the module comment). */
  async #pack(first: QueuedBlock): Promise<QueuedBlock[]> {
    const q = this.#o.queue;
    const maxBytes = this.#o.maxRequestBytes ?? 0;
    const maxRows = this.#o.maxRequestRows ?? Number.MAX_SAFE_INTEGER;
    const batch = [first];
    let bytes = decodedLength(first.data);
    if (maxBytes <= 0 || bytes < 0) return batch;
    let rows = first.rows;
    const deadline = performance.now() + (this.#o.lingerMs ?? 0);
    const fits = (data: Uint8Array, r: number): boolean => {
      const n = decodedLength(data);
      return n >= 0 && bytes + n <= maxBytes && rows + r <= maxRows;
    };
    for (;;) {
      for (let b = q.nextIf(fits); b !== null; b = q.nextIf(fits)) {
        batch.push(b);
        bytes += decodedLength(b.data);
        rows += b.rows;
      }
      const wait = deadline - performance.now();
      if (this.#stopping || wait <= 0 || this.#lingerWake !== null || bytes * 2 >= maxBytes || rows * 2 >= maxRows) {
        return batch;
      }
      // A record that does not fit is waiting: send now.
      if (this.#hasNext()) return batch;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          if (this.#lingerWake === wake) this.#lingerWake = null;
          resolve();
        }, wait);
        const wake = () => {
          clearTimeout(t);
          resolve();
        };
        this.#lingerWake = wake;
      });
    }
  }

  /** Whether the queue has a record not handed out yet (without taking it). */
  #hasNext(): boolean {
    let any = false;
    this.#o.queue.nextIf(() => {
      any = true;
      return false;
    });
    return any;
  }

  /** Sends one block until it is taken or dropped; false if stopped first. */
  async #deliver(data: Uint8Array): Promise<boolean> {
    const backoff = new Backoff(this.#o.retryMinMs, this.#o.retryMaxMs);
    const m = this.#m;
    for (;;) {
      const start = performance.now();
      try {
        const { status } = await sendBlock(this.#o.client, data, this.#abort.signal);
        const secs = (performance.now() - start) / 1000;
        this.#statusMetric(status).inc();
        m.blocksSent.inc();
        m.bytesSent.inc(data.byteLength);
        m.sendSeconds.inc(secs);
        m.durationSum.inc(secs);
        m.durationCount.inc();
        return true;
      } catch (err: unknown) {
        if (err instanceof PermanentError) {
          this.#statusMetric(err.status).inc();
          m.dropped.inc();
          this.#o.logger.error(
            `${err.message}; dropping the block of ${data.byteLength} bytes, since retrying cannot succeed`,
          );
          return true;
        }
        if (!(err instanceof RecoverableError)) throw err;
        if (this.#stopping) return false;
        if (err.status !== undefined) this.#statusMetric(err.status).inc();
        m.errors.inc();
        m.retries.inc();
        const delay = backoff.delay(err.retryAfterMs);
        this.#o.logger.warn(`${err.message}; retrying in ${(delay / 1000).toFixed(1)}s`);
        if (!(await this.#sleep(delay))) return false;
      }
    }
  }
}

/** Uncompressed size a snappy block declares, or -1 when its preamble is malformed (sent alone, unpacked). */
function decodedLength(block: Uint8Array): number {
  try {
    return snappyDecodedLength(block);
  } catch {
    return -1;
  }
}
