/**
 * A parse worker: reads request bodies from its SharedArrayBuffer ring,
 * decodes them, applies `extra_label` and `-remoteWrite.label`, and batches
 * the series into blocks for the sender thread.
 *
 * Group commit: a block is flushed when it reaches
 * `-remoteWrite.maxRowsPerBlock` samples, 10× that many labels or
 * `-remoteWrite.maxBlockSize` bytes, or as soon as the ring is empty. Under
 * load blocks therefore fill up; when idle a push waits only for its own
 * block's disk write. A request is answered when every block holding its
 * samples is acknowledged by the sender.
 *
 * Bounded: while `MAX_INFLIGHT_BLOCKS` blocks await acks the worker stops
 * reading the ring; the ring fills and the main thread answers 429.
 *
 * @module
 */

import type { Config } from "../config/flags.ts";
import { DEFAULT_LOGGER_OPTIONS, Logger } from "../log/logger.ts";
import { snappyDecompress, TooLargeError } from "../protocols/_shared/snappy.ts";
import { relayWriteRequest, type RelayOptions } from "../protocols/promremotewrite/decode.ts";
import { BlockBuilder } from "../protocols/promremotewrite/encode.ts";
import { SpscRing } from "../ring/spsc_ring.ts";
import { Registry } from "../selfmetrics/registry.ts";
import {
  type BlockAck,
  type BlockMessage,
  BodyType,
  type FromParseWorker,
  type PushResponse,
  RING_HEADER_BYTES,
  type ToParseWorker,
} from "./messages.ts";

declare const self: Worker;

/** Blocks handed to the sender but not yet acknowledged. */
const MAX_INFLIGHT_BLOCKS = 8;

const registry = new Registry();
const rowsInserted = registry.metric("vmagent_rows_inserted_total", { type: "promremotewrite" });
const rowsPerInsertSum = registry.metric("vmagent_rows_per_insert_sum", { type: "promremotewrite" });
const rowsPerInsertCount = registry.metric("vmagent_rows_per_insert_count", { type: "promremotewrite" });
const readErrors = registry.metric("vm_protoparser_read_errors_total", { type: "promremotewrite" });
const unmarshalErrors = registry.metric("vm_protoparser_unmarshal_errors_total", { type: "promremotewrite" });
const rowsRead = registry.metric("vm_protoparser_rows_read_total", { type: "promremotewrite" });
const rowsBeforeRelabel = registry.metric("vmagent_remotewrite_global_rows_pushed_before_relabel_total");

let cfg!: Config;
let log = new Logger("parser", DEFAULT_LOGGER_OPTIONS);
let ring!: SpscRing;
let sender!: MessagePort;
const builder = new BlockBuilder();
const decoder = new TextDecoder();

let seq = 0;
let inflight = 0;
let onAckWake: (() => void) | undefined;
let draining = false;

/** Requests with samples in the block being built. */
const inCurrent = new Set<number>();
/** Request → number of flushed blocks holding its samples not yet acked. */
const outstanding = new Map<number, { blocks: number; failed: boolean }>();
/** Block seq → requests whose samples it holds. */
const blockRequests = new Map<number, number[]>();
let responses: PushResponse[] = [];

function respond(r: PushResponse): void {
  responses.push(r);
}

function postResponses(): void {
  if (responses.length === 0) return;
  const msg: FromParseWorker = { type: "responses", items: responses };
  responses = [];
  self.postMessage(msg);
}

function finishRequest(reqId: number): void {
  const st = outstanding.get(reqId);
  if (st === undefined || st.blocks > 0 || inCurrent.has(reqId)) return;
  outstanding.delete(reqId);
  respond(
    st.failed
      ? { reqId, status: 503, message: "cannot queue the data: the disk queue and the memory fallback are full; retry later" }
      : { reqId, status: 204 },
  );
}

function flushBlock(): void {
  if (builder.series === 0) return;
  const rows = builder.rows;
  const bytes = builder.finish();
  builder.reset();
  const s = ++seq;
  const reqs = [...inCurrent];
  inCurrent.clear();
  for (const r of reqs) outstanding.get(r)!.blocks++;
  blockRequests.set(s, reqs);
  inflight++;
  const msg: BlockMessage = { type: "block", seq: s, block: bytes.buffer as ArrayBuffer, rows };
  sender.postMessage(msg, [msg.block]);
}

function onAck(ack: BlockAck): void {
  inflight--;
  const reqs = blockRequests.get(ack.seq);
  blockRequests.delete(ack.seq);
  if (reqs !== undefined) {
    for (const r of reqs) {
      const st = outstanding.get(r)!;
      st.blocks--;
      if (!ack.stored) st.failed = true;
      finishRequest(r);
    }
  }
  postResponses();
  const wake = onAckWake;
  onAckWake = undefined;
  wake?.();
}

/** Splits the current block when it is full (called after each series). */
let currentReq = 0;
function onSeries(): void {
  if (
    builder.rows >= cfg.remoteWrite.maxRowsPerBlock ||
    builder.labels >= 10 * cfg.remoteWrite.maxRowsPerBlock ||
    builder.byteLength >= cfg.remoteWrite.maxBlockSize
  ) {
    flushBlock();
    // The rest of the current request goes into the next block.
    inCurrent.add(currentReq);
  }
}

const globalLabels: (readonly [string, string])[] = [];

const noExtra: RelayOptions = { setLabels: globalLabels, dropEmptyAndInternal: false };

/**
 * As vmagent v1.79.5: `extra_label`s are appended after the series' own
 * labels (duplicates allowed; VictoriaMetrics keeps the last), then each
 * `-remoteWrite.label` overwrites the first label of its name or is appended,
 * and when any `-remoteWrite.label` is set, empty and `__*` labels (except
 * `__name__`) are removed. Verified against the real vmagent (tests/relay.test.ts).
 */
function relayOptions(extra: string): RelayOptions {
  const dropEmptyAndInternal = globalLabels.length > 0;
  if (extra === "") {
    noExtra.dropEmptyAndInternal = dropEmptyAndInternal;
    return noExtra;
  }
  const appendLabels: (readonly [string, string])[] = [];
  for (const kv of extra.split("\n")) {
    const eq = kv.indexOf("=");
    appendLabels.push([kv.slice(0, eq), kv.slice(eq + 1)]);
  }
  return { appendLabels, setLabels: globalLabels, dropEmptyAndInternal };
}

function handle(msg: Uint8Array): void {
  const dv = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const reqId = dv.getUint32(0, true);
  const type = dv.getUint16(4, true) as BodyType;
  const extraLen = dv.getUint16(6, true);
  const extra = extraLen === 0 ? "" : decoder.decode(msg.subarray(RING_HEADER_BYTES, RING_HEADER_BYTES + extraLen));
  const body = msg.subarray(RING_HEADER_BYTES + extraLen);
  if (type !== BodyType.PromRemoteWrite) throw new Error(`BUG: unknown body type ${type}`);
  let raw: Uint8Array;
  try {
    raw = snappyDecompress(body, cfg.maxInsertRequestSize);
  } catch (err: unknown) {
    readErrors.inc();
    const tooLarge = err instanceof TooLargeError;
    const message = tooLarge
      ? `too big decompressed request: ${err.size} bytes; the limit is ${err.limit} bytes; see -maxInsertRequestSize`
      : `cannot decompress snappy-encoded request body: ${(err as Error).message}`;
    respond({ reqId, status: tooLarge ? 413 : 400, message });
    return;
  }
  currentReq = reqId;
  outstanding.set(reqId, { blocks: 0, failed: false });
  inCurrent.add(reqId);
  try {
    const r = relayWriteRequest(raw, builder, relayOptions(extra), onSeries);
    rowsRead.inc(r.samples);
    rowsBeforeRelabel.inc(r.samples);
    rowsInserted.inc(r.samples);
    rowsPerInsertSum.inc(r.samples);
    rowsPerInsertCount.inc();
    if (r.series === 0) inCurrent.delete(reqId);
  } catch (err: unknown) {
    // relayWriteRequest validates before appending: nothing of this request is in a block.
    unmarshalErrors.inc();
    inCurrent.delete(reqId);
    outstanding.delete(reqId);
    respond({ reqId, status: 400, message: `cannot parse remote write request: ${(err as Error).message}` });
    return;
  }
  finishRequest(reqId);
}

/** Main loop: drain the ring, flush, answer, wait for more. */
async function run(): Promise<void> {
  for (;;) {
    let msg: Uint8Array | null;
    while (inflight < MAX_INFLIGHT_BLOCKS && (msg = ring.tryRead()) !== null) {
      try {
        handle(msg);
      } finally {
        ring.release();
      }
    }
    flushBlock();
    postResponses();
    if (draining && inflight === 0 && ring.usedBytes() === 0) return;
    if (inflight >= MAX_INFLIGHT_BLOCKS) {
      await new Promise<void>((resolve) => (onAckWake = resolve));
    } else {
      await ring.waitForData(draining ? 10 : 1000);
    }
  }
}

self.onmessage = (e: MessageEvent<ToParseWorker>) => {
  const m = e.data;
  switch (m.type) {
    case "init":
      cfg = m.config;
      log = new Logger(`parser ${m.index}`, cfg.logger);
      globalLabels.push(...cfg.remoteWrite.labels);
      ring = SpscRing.attach(m.ring);
      sender = m.senderPort;
      sender.onmessage = (ev: MessageEvent<BlockAck>) => onAck(ev.data);
      run().catch((err: unknown) => {
        log.fatal(`parse loop failed: ${err instanceof Error ? err.stack : String(err)}`);
        throw err;
      });
      self.postMessage({ type: "ready" } satisfies FromParseWorker);
      break;
    case "metrics":
      self.postMessage({ type: "metrics", id: m.id, samples: registry.snapshot() } satisfies FromParseWorker);
      break;
    case "drain": {
      draining = true;
      const id = m.id;
      const check = () => {
        if (inflight === 0 && ring.usedBytes() === 0 && builder.series === 0) {
          self.postMessage({ type: "drained", id } satisfies FromParseWorker);
        } else setTimeout(check, 10);
      };
      check();
      break;
    }
    default: {
      const _exhaustive: never = m;
      throw new Error(`BUG: unexpected message ${JSON.stringify(_exhaustive)}`);
    }
  }
};
