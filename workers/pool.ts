/**
 * Main-thread side of the thread pool: starts the parse workers and the
 * sender thread, hands request bodies to the workers over SharedArrayBuffer
 * rings and turns their answers back into promises.
 *
 * Back-pressure is bounded everywhere: a full ring is waited on for at most
 * `ringWaitMs`, then the push gets 429; a worker stops reading its ring while
 * too many of its blocks wait for the sender, so a slow disk fills the rings
 * rather than memory.
 *
 * @module
 */

import type { Config } from "../config/flags.ts";
import type { Logger } from "../log/logger.ts";
import type { MetricSample } from "../selfmetrics/registry.ts";
import type { ScrapeDispatch } from "../promscrape/scraper.ts";
import type { ScrapeTargetsUpdate, TargetRuntime } from "../promscrape/target_loop.ts";
import { SpscRing } from "../ring/spsc_ring.ts";
import {
  BodyEncoding,
  type BodyType,
  ContentKind,
  type FromParseWorker,
  type FromSender,
  type PushResponse,
  RING_HEADER_BYTES,
  type ToParseWorker,
  type ToSender,
} from "./messages.ts";

/**
 * The URL of a worker entry point beside this file. In a `bun build
 * --compile` binary every module is bundled into main.ts, so there
 * `import.meta.url` names the binary at the root of the embedded file system
 * (`/$bunfs/root/drover`), and the workers (listed in compile.sh) live under
 * `/$bunfs/root/workers/`.
 */
function workerURL(file: string): URL {
  return import.meta.url.includes("/$bunfs/")
    ? new URL(`./workers/${file}`, import.meta.url)
    : new URL(`./${file}`, import.meta.url);
}

interface ParseWorker {
  worker: Worker;
  ring: SpscRing;
}

type Waiter<T> = (v: T) => void;

const EMPTY = new Uint8Array(0);
const ACCEPTED: Promise<PushResponse> = Promise.resolve({ reqId: 0, status: 202 });

/** Starts threads, routes pushes, gathers metrics, stops in order. */
export class WorkerPool implements ScrapeDispatch {
  #cfg: Config;
  #log: Logger;
  #workers: ParseWorker[] = [];
  #sender!: Worker;
  #pending = new Map<number, Waiter<PushResponse>>();
  #replies = new Map<number, Waiter<unknown>>();
  #nextReq = 1;
  #nextCall = 1;
  #rr = 0;
  #ringWaitMs: number;
  #encoder = new TextEncoder();
  /** Bytes of DirectBody messages the workers have not parsed yet. */
  #directBytes = 0;
  #directWaiters: (() => void)[] = [];
  /** Where the sender said data goes; for the startup message. */
  destinations: string[] = [];
  #onFatal: (msg: string) => void;

  constructor(cfg: Config, log: Logger, onFatal: (msg: string) => void) {
    this.#cfg = cfg;
    this.#log = log;
    this.#onFatal = onFatal;
    this.#ringWaitMs = Math.min(cfg.insertMaxQueueDurationMs, 10_000);
  }

  /** Starts the sender, then the parse workers; resolves when all are ready. */
  async start(): Promise<void> {
    const n = Math.max(1, this.#cfg.parseWorkers);
    const channels = Array.from({ length: n }, () => new MessageChannel());
    this.#sender = new Worker(workerURL("send_worker.ts"), { type: "module", smol: true });
    const senderReady = new Promise<void>((resolve, reject) => {
      this.#sender.onmessage = (e: MessageEvent<FromSender>) => {
        const m = e.data;
        switch (m.type) {
          case "ready":
            this.destinations = m.destinations;
            resolve();
            break;
          case "fatal":
            reject(new Error(m.message));
            this.#onFatal(m.message);
            break;
          case "metrics":
          case "reloaded":
          case "stopped":
            this.#reply(m.id, m.type === "metrics" ? m.samples : undefined);
            break;
          default: {
            const _exhaustive: never = m;
            throw new Error(`BUG: unexpected sender message ${JSON.stringify(_exhaustive)}`);
          }
        }
      };
      this.#sender.onerror = (e) => {
        reject(new Error(`sender thread failed: ${e.message}`));
        this.#onFatal(`sender thread failed: ${e.message}`);
      };
    });
    const senderInit: ToSender = { type: "init", config: this.#cfg, ports: channels.map((c) => c.port2) };
    this.#sender.postMessage(senderInit, channels.map((c) => c.port2));
    await senderReady;

    const ready: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const ring = SpscRing.create(this.#cfg.ringBufferSize);
      const worker = new Worker(workerURL("parse_worker.ts"), { type: "module", smol: true });
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.onmessage = (e: MessageEvent<FromParseWorker>) => {
            const m = e.data;
            if (m.type === "ready") resolve();
            else if (m.type === "fatal") {
              reject(new Error(m.message));
              this.#onFatal(m.message);
            } else this.#onParseMessage(m);
          };
          worker.onerror = (e) => {
            reject(new Error(`parse worker ${i} failed: ${e.message}`));
            this.#onFatal(`parse worker ${i} failed: ${e.message}`);
          };
        }),
      );
      const port = channels[i]!.port1;
      const init: ToParseWorker = { type: "init", config: this.#cfg, ring: ring.sab, senderPort: port, index: i };
      worker.postMessage(init, [port]);
      this.#workers.push({ worker, ring });
    }
    await Promise.all(ready);
  }

  #onParseMessage(m: Exclude<FromParseWorker, { type: "ready" } | { type: "fatal" }>): void {
    switch (m.type) {
      case "responses":
        for (const r of m.items) {
          const w = this.#pending.get(r.reqId);
          if (w !== undefined) {
            this.#pending.delete(r.reqId);
            w(r);
          }
        }
        break;
      case "consumed": {
        this.#directBytes -= m.bytes;
        const waiters = this.#directWaiters;
        this.#directWaiters = [];
        for (const w of waiters) w();
        break;
      }
      case "metrics":
        this.#reply(m.id, m.samples);
        break;
      case "targetStatus":
        this.#reply(m.id, m.targets);
        break;
      case "drained":
      case "reloaded":
        this.#reply(m.id, undefined);
        break;
      default: {
        const _exhaustive: never = m;
        throw new Error(`BUG: unexpected worker message ${JSON.stringify(_exhaustive)}`);
      }
    }
  }

  #reply(id: number, v: unknown): void {
    const w = this.#replies.get(id);
    if (w !== undefined) {
      this.#replies.delete(id);
      w(v);
    }
  }

  #call<T>(target: Worker, msg: (id: number) => ToParseWorker | ToSender): Promise<T> {
    const id = this.#nextCall++;
    return new Promise<T>((resolve) => {
      this.#replies.set(id, resolve as Waiter<unknown>);
      target.postMessage(msg(id));
    });
  }

  /**
   * Hands one request body to a parse worker and resolves with the outcome
   * once its samples are queued on disk (or rejected). `params` is the
   * request's raw query string (the worker reads `extra_label` etc. from it).
   */
  push(
    type: BodyType,
    encoding: BodyEncoding,
    params: string,
    body: Uint8Array,
    contentKind: ContentKind = ContentKind.Other,
  ): Promise<PushResponse> {
    const reqId = this.#nextReq;
    this.#nextReq = this.#nextReq >= 0xffffffff ? 1 : this.#nextReq + 1;
    return this.#send(reqId, type, encoding, params, body, contentKind);
  }

  /** Number of parse workers. */
  get workerCount(): number {
    return this.#workers.length;
  }

  /** Sends worker `index` the scrape targets it gains and loses (postMessage keeps them in order). */
  updateTargets(index: number, u: ScrapeTargetsUpdate): void {
    const msg: ToParseWorker = { type: "targets", update: u };
    this.#workers[index]!.worker.postMessage(msg);
  }

  /** The state of every scrape target, from every worker. */
  async targetStatuses(): Promise<TargetRuntime[]> {
    const all = await Promise.all(
      this.#workers.map((w) => this.#call<TargetRuntime[]>(w.worker, (id) => ({ type: "targetStatus", id }))),
    );
    return all.flat();
  }

  /**
   * Tries to hand a block of complete lines from a TCP/UDP stream to a parse
   * worker without waiting; false when every ring is full. `head` (may be
   * empty) and `body` are copied into the ring one after the other, so the
   * caller never joins them and may reuse both at once.
   */
  tryPushStream(type: BodyType, head: Uint8Array, body: Uint8Array): boolean {
    const header = new Uint8Array(RING_HEADER_BYTES);
    const dv = new DataView(header.buffer);
    dv.setUint16(4, type, true);
    const parts = head.byteLength === 0 ? [header, body] : [header, head, body];
    const n = this.#workers.length;
    if (RING_HEADER_BYTES + head.byteLength + body.byteLength > this.#workers[0]!.ring.maxMessageSize) return false;
    for (let k = 0; k < n; k++) {
      const w = this.#workers[(this.#rr + k) % n]!;
      if (w.ring.tryWrite(parts)) {
        this.#rr = (this.#rr + k + 1) % n;
        return true;
      }
    }
    return false;
  }

  /**
   * Hands a block of complete lines from a TCP/UDP stream to a parse worker.
   * Nobody waits for the parse; resolves true once the block is in a ring,
   * false when the rings stayed full (the block is dropped and counted).
   */
  async pushStream(type: BodyType, body: Uint8Array): Promise<boolean> {
    const r = await this.#send(0, type, BodyEncoding.Identity, "", body);
    return r.status < 300;
  }

  async #send(
    reqId: number,
    type: BodyType,
    encoding: BodyEncoding,
    params: string,
    body: Uint8Array,
    contentKind: ContentKind = ContentKind.Other,
  ): Promise<PushResponse> {
    const first = this.#workers[0]!;
    if (RING_HEADER_BYTES + params.length * 3 + body.byteLength > first.ring.maxMessageSize / 4) {
      return this.#sendDirect(reqId, type, encoding, params, body, contentKind);
    }
    const p = params === "" ? EMPTY : this.#encoder.encode(params);
    const header = new Uint8Array(RING_HEADER_BYTES);
    const dv = new DataView(header.buffer);
    dv.setUint32(0, reqId, true);
    dv.setUint16(4, type, true);
    dv.setUint8(6, encoding);
    dv.setUint8(7, contentKind);
    dv.setUint32(8, p.byteLength, true);
    const parts = [header, p, body];
    const size = RING_HEADER_BYTES + p.byteLength + body.byteLength;
    const result = reqId === 0 ? ACCEPTED : new Promise<PushResponse>((resolve) => this.#pending.set(reqId, resolve));
    const n = this.#workers.length;
    const deadline = performance.now() + this.#ringWaitMs;
    for (;;) {
      for (let k = 0; k < n; k++) {
        const w = this.#workers[(this.#rr + k) % n]!;
        if (w.ring.tryWrite(parts)) {
          this.#rr = (this.#rr + k + 1) % n;
          return result;
        }
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        this.#pending.delete(reqId);
        return { reqId, status: 429, message: "all parse rings are full; retry later" };
      }
      // Wait on one ring, but look at all of them again at least every 100ms.
      await this.#workers[this.#rr]!.ring.waitForSpace(size, Math.min(left, 100));
    }
  }

  /**
   * Hands a large body to a worker by transferring its buffer (no copy into
   * the ring: a ring that must hold whole large bodies costs their size in
   * RSS all the time, and could not take one over half its size). The bodies
   * in flight this way are bounded like the rings: at most the rings' total
   * capacity waits to be parsed (one body always may, however large); past
   * that a push waits up to `ringWaitMs`, then gets 429.
   */
  async #sendDirect(
    reqId: number,
    type: BodyType,
    encoding: BodyEncoding,
    params: string,
    body: Uint8Array,
    contentKind: ContentKind,
  ): Promise<PushResponse> {
    const limit = this.#workers.reduce((n, w) => n + w.ring.capacity, 0);
    const deadline = performance.now() + this.#ringWaitMs;
    while (this.#directBytes > 0 && this.#directBytes + body.byteLength > limit) {
      const left = deadline - performance.now();
      if (left <= 0) return { reqId, status: 429, message: "all parse rings are full; retry later" };
      // Woken when a worker has parsed one; looks again at least every 100ms.
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 100));
        this.#directWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    // A body that owns its whole buffer moves as it is; a view into a larger one is copied out first.
    const own =
      body.byteOffset === 0 && body.byteLength === body.buffer.byteLength && body.buffer instanceof ArrayBuffer
        ? body
        : body.slice();
    const msg: ToParseWorker = {
      type: "body",
      reqId,
      bodyType: type,
      encoding,
      contentType: contentKind,
      paramsText: params,
      body: own.buffer as ArrayBuffer,
    };
    const result = reqId === 0 ? ACCEPTED : new Promise<PushResponse>((resolve) => this.#pending.set(reqId, resolve));
    this.#directBytes += own.byteLength;
    const w = this.#workers[this.#rr]!;
    this.#rr = (this.#rr + 1) % this.#workers.length;
    w.worker.postMessage(msg, [msg.body]);
    return result;
  }

  /** Metric snapshots of every thread. */
  async metrics(): Promise<MetricSample[][]> {
    const calls: Promise<MetricSample[]>[] = this.#workers.map((w) =>
      this.#call<MetricSample[]>(w.worker, (id) => ({ type: "metrics", id }))
    );
    calls.push(this.#call<MetricSample[]>(this.#sender, (id) => ({ type: "metrics", id })));
    return Promise.all(calls);
  }

  /** Bytes waiting in the rings, for the `drover_ring_used_bytes` gauge. */
  ringUsedBytes(): number {
    let s = 0;
    for (const w of this.#workers) s += w.ring.usedBytes();
    return s;
  }

  /** Re-reads relabel config files in every thread (SIGHUP, /-/reload). */
  async reload(): Promise<void> {
    await Promise.all([
      this.#call<void>(this.#sender, (id) => ({ type: "reload", id })),
      ...this.#workers.map((w) => this.#call<void>(w.worker, (id) => ({ type: "reload", id }))),
    ]);
  }

  /**
   * Graceful stop: workers finish what is in their rings and flush their
   * blocks to the sender, then the sender stops its senders and closes the
   * queues (memory → disk). Safe to call once the listeners are closed.
   */
  async stop(): Promise<void> {
    await Promise.all(this.#workers.map((w) => this.#call<void>(w.worker, (id) => ({ type: "drain", id }))));
    await this.#call<void>(this.#sender, (id) => ({ type: "stop", id }));
    for (const w of this.#workers) w.worker.terminate();
    this.#sender.terminate();
    for (const [reqId, w] of this.#pending) w({ reqId, status: 503, message: "Drover is shutting down" });
    this.#pending.clear();
    this.#log.info("all threads stopped");
  }
}
