/**
 * A parse worker: reads request bodies from its SharedArrayBuffer ring,
 * decodes them, applies `extra_label` and `-remoteWrite.label`, and batches
 * the series into blocks for the sender thread. It also scrapes the targets
 * the main thread assigns to it (promscrape/target_loop.ts), writing their
 * series into the same blocks.
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
import { BodyEncoding, ParseError } from "../protocols/_shared/protocol.ts";
import { SeriesWriter } from "../protocols/_shared/series_writer.ts";
import {
  decodeWriteRequest,
  type RelayOptions,
  relayWriteRequest,
  validateWriteRequest,
} from "../protocols/promremotewrite/decode.ts";
import { loadRelabelConfig } from "../relabel/load.ts";
import { relabelStep } from "../relabel/step.ts";
import { BlockBuilder } from "../protocols/promremotewrite/encode.ts";
import { SpscRing } from "../ring/spsc_ring.ts";
import { registerThreadMemory } from "../selfmetrics/process.ts";
import { startGcPacer } from "./gc_pacer.ts";
import { startThreadProfile } from "../selfmetrics/profile.ts";
import { Registry } from "../selfmetrics/registry.ts";
import { ScrapeLoops } from "../promscrape/target_loop.ts";
import { InvalidRowLog } from "./_invalid_log.ts";
import { PendingRequests } from "./_pending_requests.ts";
import { PARSERS } from "./_parsers.ts";
import { ProtocolMetrics, registerCacheMetrics } from "./_protocol_metrics.ts";
import {
  decodeBody,
  EMPTY_PARAMS,
  extraLabelsOf,
  limitOf,
  readRingRequest,
  type RingRequest,
} from "./_request_body.ts";
import { type BlockAck, type BlockMessage, BodyType, type FromParseWorker, type ToParseWorker } from "./messages.ts";

declare const self: Worker;

/** Blocks handed to the sender but not yet acknowledged (4: as fast as 8 on the push benchmark, ~15 MB less RSS). */
const MAX_INFLIGHT_BLOCKS = 4;

const registry = new Registry();
const rowsBeforeRelabel = registry.metric("vmagent_remotewrite_global_rows_pushed_before_relabel_total");

const protocolMetrics = new ProtocolMetrics(registry);

let cfg!: Config;
let passthroughAllowed = false;
/** -remoteWrite.relabelConfig, compiled (null = none). */
let globalRelabel: ReturnType<typeof relabelStep> | null = null;
const relabelDroppedMetric = registry.metric("vmagent_remotewrite_global_relabel_metrics_dropped_total");
let log = new Logger("parser", DEFAULT_LOGGER_OPTIONS);
let ring!: SpscRing;
let sender!: MessagePort;
const builder = new BlockBuilder();
const globalLabels: (readonly [string, string])[] = [];
/** Created at init, when -labelCacheSize is known. */
let writer!: SeriesWriter;

let seq = 0;
let inflight = 0;
let onAckWake: (() => void) | undefined;
let draining = false;

/** Push requests waiting for their blocks' acks. */
const pending = new PendingRequests((items) =>
  self.postMessage({ type: "responses", items } satisfies FromParseWorker)
);
/** This worker's scrape targets; created at init. */
let scrapes: ScrapeLoops | undefined;
/** Scrapes waiting for in-flight blocks to drop below the bound before they write. */
let writableWaiters: (() => void)[] = [];
let flushScheduled = false;

/**
 * Block buffers the sender handed back: blocks are detached from the builder
 * and transferred, not copied, and the same few buffers go round (fresh 1 MB
 * buffers cost page faults on every block).
 */
const spareBuffers: ArrayBuffer[] = [];
/**
 * Spares kept: a message is parsed to its end even past MAX_INFLIGHT_BLOCKS, so
 * more blocks than that come back at once. Keeping only MAX_INFLIGHT_BLOCKS
 * made a quarter of all blocks a fresh buffer under Influx push.
 */
const MAX_SPARE_BUFFERS = 2 * MAX_INFLIGHT_BLOCKS;

function flushBlock(): void {
  if (builder.series === 0) return;
  const rows = builder.rows;
  const bytes = builder.detach(spareBuffers.pop());
  sendBlock(bytes, rows, false);
}

/**
 * Hands a finished block to the sender; the requests with samples in it wait for
 * its ack. `compressed` blocks are already snappy-compressed WriteRequests.
 */
function sendBlock(bytes: Uint8Array, rows: number, compressed: boolean): void {
  const s = ++seq;
  pending.flushed(s);
  inflight++;
  const msg: BlockMessage = {
    type: "block",
    seq: s,
    block: bytes.buffer as ArrayBuffer,
    length: bytes.byteLength,
    rows,
    compressed,
  };
  sender.postMessage(msg, [msg.block]);
}

function onAck(ack: BlockAck): void {
  inflight--;
  if (ack.buffer !== undefined && spareBuffers.length < MAX_SPARE_BUFFERS) spareBuffers.push(ack.buffer);
  pending.acked(ack.seq, ack.stored);
  pending.post();
  const wake = onAckWake;
  onAckWake = undefined;
  wake?.();
  parseDirectNow();
  if (inflight < MAX_INFLIGHT_BLOCKS && writableWaiters.length > 0) {
    const waiters = writableWaiters;
    writableWaiters = [];
    for (const w of waiters) w();
  }
}

/** Scrapes write only while fewer than MAX_INFLIGHT_BLOCKS blocks await acks (null: now). */
function whenWritable(): Promise<void> | null {
  if (inflight < MAX_INFLIGHT_BLOCKS) return null;
  return new Promise((resolve) => writableWaiters.push(resolve));
}

/**
 * After a scrape wrote series: the block is flushed when full, when a push
 * needs it on disk, or at the latest `-remoteWrite.flushInterval` later, as
 * vmagent's pending series are (nobody waits for an answer to a scrape; a
 * block per scrape would cost a queue record and its handling each time).
 */
function scrapeWritten(rows: number): void {
  scrapeMetrics.inserted.inc(rows);
  scrapeMetrics.rowsRead.inc(rows);
  if (flushScheduled) return;
  flushScheduled = true;
  setTimeout(() => {
    flushScheduled = false;
    flushBlock();
    pending.post();
  }, cfg.remoteWrite.flushIntervalMs);
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
    if (currentReq !== 0) pending.inCurrent(currentReq);
  }
}

const noExtra: RelayOptions = { setLabels: globalLabels, dropEmptyAndInternal: false };

/**
 * As vmagent v1.79.5: `extra_label`s are appended after the series' own
 * labels (duplicates allowed; VictoriaMetrics keeps the last), then each
 * `-remoteWrite.label` overwrites the first label of its name or is appended,
 * and when any `-remoteWrite.label` is set, empty and `__*` labels (except
 * `__name__`) are removed. Verified against the real vmagent (tests/relay.test.ts).
 */
function relayOptions(params: URLSearchParams): RelayOptions {
  const dropEmptyAndInternal = globalLabels.length > 0;
  if (!params.has("extra_label")) {
    noExtra.dropEmptyAndInternal = dropEmptyAndInternal;
    return noExtra;
  }
  return { appendLabels: extraLabelsOf(params), setLabels: globalLabels, dropEmptyAndInternal };
}

const invalidRows = new InvalidRowLog(() => log);

function handle(msg: Uint8Array): void {
  try {
    handleBody(msg);
  } finally {
    // Series written outside a request (scrapes) must not be charged to the last one.
    currentReq = 0;
  }
}

/** Large bodies the main thread transferred (DirectBody), parsed before the ring's messages. */
const directBodies: RingRequest[] = [];

/**
 * Parses waiting DirectBody messages outside the run loop, which may be
 * waiting for ring data (it drains them too when it wakes): called when one
 * arrives and when an ack makes room for blocks.
 */
function parseDirectNow(): void {
  if (directBodies.length === 0 || inflight >= MAX_INFLIGHT_BLOCKS) return;
  drainDirect();
  flushBlock();
  pending.post();
}

/** Parses the waiting DirectBody messages while blocks may be handed to the sender. */
function drainDirect(): void {
  while (inflight < MAX_INFLIGHT_BLOCKS && directBodies.length > 0) {
    const req = directBodies.shift()!;
    try {
      handleRequest(req);
    } finally {
      currentReq = 0;
      self.postMessage({ type: "consumed", bytes: req.body.byteLength } satisfies FromParseWorker);
    }
  }
}

function handleBody(msg: Uint8Array): void {
  handleRequest(readRingRequest(msg));
}

function handleRequest(req: RingRequest): void {
  const { reqId, type, contentType, paramsText, body } = req;
  let encoding: BodyEncoding;
  const parser = type === BodyType.PromRemoteWrite ? undefined : PARSERS.get(type);
  if (type !== BodyType.PromRemoteWrite && parser === undefined) {
    throw new Error(`BUG: no parser for body type ${type}`);
  }
  const name = parser?.name ?? "promremotewrite";
  const m = protocolMetrics.of(name);
  const [limit, flag] = limitOf(cfg, type);
  let raw: Uint8Array;
  try {
    [raw, encoding] = decodeBody(body, type, req.encoding, limit, flag);
  } catch (err: unknown) {
    m.readErrors.inc();
    const e = err as ParseError;
    if (reqId !== 0) pending.respond({ reqId, status: e.status ?? 400, message: e.message });
    return;
  }
  const params = paramsText === "" ? EMPTY_PARAMS : new URLSearchParams(paramsText);
  currentReq = reqId;
  if (reqId !== 0) {
    pending.begin(reqId);
  }
  let rows: number;
  try {
    if (parser === undefined) {
      rows = relayRemoteWrite(reqId, body, raw, encoding, params);
    } else {
      writer.setExtraLabels(extraLabelsOf(params));
      writer.resetCounters();
      parser.parse(raw, {
        params,
        config: cfg.push,
        contentType,
        nowMs: Date.now(),
        w: writer,
        invalidLine: (reason, line) => {
          m.invalid.inc();
          invalidRows.report(name, reason, line);
        },
      });
      rows = writer.rows;
    }
  } catch (err: unknown) {
    // Parsers throw before writing anything (see ParseError), so nothing of this request is in a block.
    m.unmarshalErrors.inc();
    pending.forget(reqId);
    if (!(err instanceof ParseError) && !(err instanceof SyntaxError)) {
      log.error(`BUG: ${name} parser failed: ${(err as Error).stack}`);
    }
    if (reqId !== 0) {
      pending.respond({
        reqId,
        status: (err as ParseError).status ?? 400,
        message: `cannot parse ${name} request: ${(err as Error).message}`,
      });
    }
    return;
  }
  m.rowsRead.inc(rows);
  rowsBeforeRelabel.inc(rows);
  m.inserted.inc(rows);
  m.perInsertSum.inc(rows);
  m.perInsertCount.inc();
  if (reqId === 0) return;
  if (builder.series === 0 || rows === 0) pending.notInCurrent(reqId);
  pending.finish(reqId);
}

/**
 * Relays a remote-write request. Fast path (Drover-specific): a request
 * that needs no label changes and fits one block is validated and queued
 * as the client's own snappy bytes, skipping the re-encode and the
 * re-compression that dominate vmagent's relay cost. Only a request that
 * holds nothing but series with labels and samples goes this way; one with
 * metadata, exemplars, histograms, unknown fields or groups is re-encoded
 * without them, as vmagent does, since a strict receiver may reject them.
 */
function relayRemoteWrite(
  reqId: number,
  body: Uint8Array,
  raw: Uint8Array,
  encoding: BodyEncoding,
  params: URLSearchParams,
): number {
  const rw = cfg.remoteWrite;
  if (
    passthroughAllowed &&
    encoding === BodyEncoding.Snappy &&
    !params.has("extra_label") &&
    raw.byteLength <= rw.maxBlockSize
  ) {
    const r = validateWriteRequest(raw);
    if (r.clean && r.samples <= rw.maxRowsPerBlock) {
      if (r.series === 0) return 0;
      // Earlier requests' series go first, so blocks stay in arrival order.
      pending.notInCurrent(reqId);
      flushBlock();
      pending.inCurrent(reqId);
      // body is a view into the ring: copy it before the slot is released.
      sendBlock(body.slice(), r.samples, true);
      return r.samples;
    }
  }
  if (globalRelabel !== null) {
    // -remoteWrite.relabelConfig needs label strings: decode and go through the writer.
    writer.setExtraLabels(extraLabelsOf(params));
    writer.resetCounters();
    for (const ts of decodeWriteRequest(raw)) {
      writer.begin();
      for (const [n, v] of ts.labels) writer.label(n, v);
      for (const s of ts.samples) {
        if (s.stale) writer.staleSample(s.timestamp);
        else writer.sample(s.value, s.timestamp);
      }
      writer.end();
    }
    relabelDroppedMetric.inc(writer.relabelDropped);
    return writer.rows;
  }
  return relayWriteRequest(raw, builder, relayOptions(params), onSeries).samples;
}

const scrapeMetrics = protocolMetrics.of("promscrape");

function scrapeInvalid(reason: string, line: string): void {
  scrapeMetrics.invalid.inc();
  invalidRows.report("promscrape", reason, line);
}

/** Main loop: drain the ring, flush, answer, wait for more. */
async function run(): Promise<void> {
  for (;;) {
    let msg: Uint8Array | null;
    drainDirect();
    while (inflight < MAX_INFLIGHT_BLOCKS && (msg = ring.tryRead()) !== null) {
      try {
        handle(msg);
      } finally {
        ring.release();
      }
    }
    flushBlock();
    pending.post();
    if (draining && inflight === 0 && ring.usedBytes() === 0 && directBodies.length === 0) return;
    if (inflight >= MAX_INFLIGHT_BLOCKS) {
      await new Promise<void>((resolve) => (onAckWake = resolve));
    } else {
      await ring.waitForData(draining ? 10 : 1000);
    }
  }
}

/** (Re)loads -remoteWrite.relabelConfig; on reload errors the old rules stay. */
async function loadGlobalRelabel(): Promise<void> {
  const src = cfg.remoteWrite.relabelConfig;
  globalRelabel = src === "" ? null : relabelStep(await loadRelabelConfig(src, "-remoteWrite.relabelConfig"));
  writer.setRelabel(globalRelabel);
  // Relabeling needs label strings, so it rules out forwarding client bytes unchanged.
  passthroughAllowed = cfg.remoteWrite.urls.length > 0 && globalLabels.length === 0 && globalRelabel === null;
}

self.onmessage = async (e: MessageEvent<ToParseWorker>) => {
  const m = e.data;
  switch (m.type) {
    case "reload":
      await loadGlobalRelabel().catch((err: unknown) =>
        log.error(`cannot reload -remoteWrite.relabelConfig; keeping the previous rules: ${(err as Error).message}`)
      );
      self.postMessage({ type: "reloaded", id: m.id } satisfies FromParseWorker);
      break;
    case "init":
      cfg = m.config;
      log = new Logger(`parser ${m.index}`, cfg.logger);
      globalLabels.push(...cfg.remoteWrite.labels);
      writer = new SeriesWriter(builder, globalLabels, () => onSeries(), cfg.labelCacheSize);
      registerCacheMetrics(registry, writer);
      registerThreadMemory(registry, `parse-${m.index}`);
      // A parse worker's heap holds its scrape targets' state, so a full collection costs more there than in the
      // other threads: it waits for 32 MiB of growth (scrape benchmark: 5% more CPU at 8 MiB, for 4 MB less RSS).
      startGcPacer(registry, `parse-${m.index}`, undefined, 32 * 1024 * 1024);
      startThreadProfile(`parse-${m.index}`);
      registry.gauge("drover_ring_capacity_bytes", { worker: String(m.index) }, () => ring.capacity);
      try {
        await loadGlobalRelabel();
      } catch (err: unknown) {
        self.postMessage({ type: "fatal", message: (err as Error).message } satisfies FromParseWorker);
        break;
      }
      scrapes = new ScrapeLoops({
        writer,
        log: log.child("promscrape"),
        registry,
        streamThreshold: cfg.promscrape.minResponseSizeForStreamParse,
        suppressErrors: cfg.promscrape.suppressScrapeErrors,
        whenWritable,
        written: scrapeWritten,
        invalidLine: scrapeInvalid,
      });
      ring = SpscRing.attach(m.ring);
      sender = m.senderPort;
      sender.addEventListener("message", (ev) => onAck((ev as MessageEvent<BlockAck>).data));
      sender.start();
      run().catch((err: unknown) => {
        log.fatal(`parse loop failed: ${err instanceof Error ? err.stack : String(err)}`);
        throw err;
      });
      self.postMessage({ type: "ready" } satisfies FromParseWorker);
      break;
    case "body":
      directBodies.push({
        reqId: m.reqId,
        type: m.bodyType,
        encoding: m.encoding,
        contentType: m.contentType,
        paramsText: m.paramsText,
        body: new Uint8Array(m.body),
      });
      parseDirectNow();
      break;
    case "metrics":
      self.postMessage({ type: "metrics", id: m.id, samples: registry.snapshot() } satisfies FromParseWorker);
      break;
    case "targets":
      scrapes?.update(m.update);
      break;
    case "targetStatus":
      self.postMessage(
        { type: "targetStatus", id: m.id, targets: scrapes?.statuses() ?? [] } satisfies FromParseWorker,
      );
      break;
    case "drain": {
      // Shutdown: scrapes stop without stale markers, as vmagent's do.
      scrapes?.stop();
      draining = true;
      const id = m.id;
      const check = () => {
        if (inflight === 0 && ring.usedBytes() === 0 && builder.series === 0 && directBodies.length === 0) {
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
