/**
 * Messages between the main thread, the parse workers and the sender thread.
 * Every channel has one discriminated union; handlers switch over `type`
 * exhaustively.
 *
 * ```
 *  main ──ring (request bodies)──▶ parse worker k ──port (blocks)──▶ sender
 *   ▲                                  │  ▲                             │
 *   └──── postMessage (responses) ─────┘  └──── port (block acks) ──────┘
 * ```
 *
 * A push is answered only after the sender has written every block holding
 * its samples to every URL's queue, so a 204 means "on disk" (see
 * docs/durability.md).
 *
 * @module
 */

import type { Config } from "../config/flags.ts";
import type { ScrapeTargetsUpdate, TargetRuntime } from "../promscrape/target_loop.ts";
import type { MetricSample } from "../selfmetrics/registry.ts";
import type { BodyEncoding, BodyType, ContentKind } from "../protocols/_shared/protocol.ts";

export { BodyEncoding, BodyType, ContentKind } from "../protocols/_shared/protocol.ts";

/**
 * Ring message header (little-endian), followed by `paramsLen` bytes of the
 * request's query string (UTF-8; `extra_label`, `db`, `precision`, …) and
 * then the body:
 *
 * ```
 * 0       4      6          7             8           12
 * | reqId | type | encoding | contentKind | paramsLen | params … | body … |
 * ```
 *
 * `reqId` 0 means nobody waits for an answer (TCP/UDP input).
 */
export const RING_HEADER_BYTES = 12;

/**
 * A request body too large for the ring's fast path, transferred (not
 * copied) with its header fields (see WorkerPool: bodies over a quarter of
 * the ring's message size).
 */
export interface DirectBody {
  type: "body";
  reqId: number;
  bodyType: BodyType;
  encoding: BodyEncoding;
  contentType: ContentKind;
  paramsText: string;
  /** The whole buffer is the body. */
  body: ArrayBuffer;
}

/** main → parse worker (postMessage; bodies travel in the ring, large ones as DirectBody). */
export type ToParseWorker =
  | { type: "init"; config: Config; ring: SharedArrayBuffer; senderPort: MessagePort; index: number }
  | DirectBody
  | { type: "metrics"; id: number }
  | { type: "reload"; id: number }
  | { type: "drain"; id: number }
  /** Scrape targets this worker now owns or no longer owns (see promscrape/target_loop.ts). */
  | { type: "targets"; update: ScrapeTargetsUpdate }
  | { type: "targetStatus"; id: number };

/** parse worker → main. */
export type FromParseWorker =
  | { type: "ready" }
  | { type: "responses"; items: PushResponse[] }
  /** A DirectBody of `bytes` bytes was parsed and its memory released. */
  | { type: "consumed"; bytes: number }
  | { type: "metrics"; id: number; samples: MetricSample[] }
  | { type: "drained"; id: number }
  | { type: "reloaded"; id: number }
  | { type: "targetStatus"; id: number; targets: TargetRuntime[] }
  | { type: "fatal"; message: string };

/** The outcome of one push request. */
export interface PushResponse {
  reqId: number;
  status: number;
  /** Error text for non-2xx statuses. */
  message?: string;
}

/** parse worker → sender (over a MessagePort). */
export interface BlockMessage {
  type: "block";
  seq: number;
  /** A WriteRequest in its first `length` bytes, uncompressed unless `compressed`; transferred, not copied. */
  block: ArrayBuffer;
  length: number;
  rows: number;
  /** Already snappy-compressed (a client's remote-write body passed through). */
  compressed: boolean;
}

/** sender → parse worker. */
export interface BlockAck {
  type: "ack";
  seq: number;
  /** False when some URL's queue had to drop the block (disk and memory full). */
  stored: boolean;
  /** The block's buffer, handed back for the next block (transferred), unless the sender keeps it. */
  buffer?: ArrayBuffer;
}

/** main → sender. */
export type ToSender =
  | { type: "init"; config: Config; ports: MessagePort[] }
  | { type: "metrics"; id: number }
  | { type: "reload"; id: number }
  | { type: "stop"; id: number };

/** sender → main. */
export type FromSender =
  | { type: "ready"; destinations: string[] }
  | { type: "metrics"; id: number; samples: MetricSample[] }
  | { type: "reloaded"; id: number }
  | { type: "stopped"; id: number }
  | { type: "fatal"; message: string };
