/**
 * The sender thread: owns compression, the per-URL queues and HTTP delivery.
 *
 * Blocks arrive from the parse workers over MessagePorts. Each block is
 * snappy-compressed once and written to every URL's queue; then the block is
 * acknowledged to its parse worker, which answers the waiting push requests.
 * Acks are sent in groups: all blocks that arrived in one turn of the event
 * loop are written, the queues are fsynced once when
 * `-remoteWrite.fsyncPolicy=always`, and only then acknowledged (group
 * commit).
 *
 * @module
 */

import type { Config } from "../config/flags.ts";
import { DEFAULT_LOGGER_OPTIONS, Logger } from "../log/logger.ts";
import { snappyCompress, snappyDecompress } from "../protocols/_shared/snappy.ts";
import { type CompiledRelabelRules } from "../relabel/apply.ts";
import { loadRelabelConfig } from "../relabel/load.ts";
import { relabelBlock } from "../remotewrite/url_relabel.ts";
import { FileQueue } from "../queue/file_queue.ts";
import { resolveDestinations } from "../remotewrite/destinations.ts";
import { JsonlSink } from "../remotewrite/jsonl_sink.ts";
import { UrlSender } from "../remotewrite/url_sender.ts";
import { registerThreadMemory } from "../selfmetrics/process.ts";
import { startGcPacer } from "./gc_pacer.ts";
import { startThreadProfile } from "../selfmetrics/profile.ts";
import { type Metric, Registry } from "../selfmetrics/registry.ts";
import type { BlockAck, BlockMessage, FromSender, ToSender } from "./messages.ts";

declare const self: Worker;

const registry = new Registry();
let log = new Logger("sender", DEFAULT_LOGGER_OPTIONS);
let config: Config | undefined;
let sink: JsonlSink | undefined;
const senders: UrlSender[] = [];
/** Compiled -remoteWrite.urlRelabelConfig per URL (null = none); replaced on reload. */
let urlRelabel: (CompiledRelabelRules | null)[] = [];
const urlRelabelDropped: Metric[] = [];
const queues: FileQueue[] = [];
let tickTimer: ReturnType<typeof setInterval> | undefined;

const blocksIn = registry.metric("drover_sender_blocks_received_total");
const rowsIn = registry.metric("drover_sender_rows_received_total");
const blockRowsSum = registry.metric("vmagent_remotewrite_block_size_rows_sum");
const blockRowsCount = registry.metric("vmagent_remotewrite_block_size_rows_count");
const blockBytesSum = registry.metric("vmagent_remotewrite_block_size_bytes_sum");
const blockBytesCount = registry.metric("vmagent_remotewrite_block_size_bytes_count");

function post(msg: FromSender): void {
  self.postMessage(msg);
}

/** Acks waiting for the end of this turn (group commit). */
let pendingAcks: { port: MessagePort; ack: BlockAck }[] = [];
let commitScheduled = false;

function commit(): void {
  commitScheduled = false;
  if (config?.remoteWrite.fsyncPolicy === "always") {
    for (const q of queues) q.sync();
    sink?.sync();
  }
  const acks = pendingAcks;
  pendingAcks = [];
  for (const { port, ack } of acks) port.postMessage(ack, ack.buffer === undefined ? [] : [ack.buffer]);
}

function onBlock(port: MessagePort, msg: BlockMessage): void {
  const raw = new Uint8Array(msg.block, 0, msg.length);
  blocksIn.inc();
  rowsIn.inc(msg.rows);
  blockRowsSum.inc(msg.rows);
  blockRowsCount.inc();
  let stored = true;
  if (sink !== undefined) {
    stored = sink.write(raw, msg.rows);
  } else {
    const compressed = msg.compressed ? raw : snappyCompress(raw);
    blockBytesSum.inc(compressed.byteLength);
    blockBytesCount.inc();
    for (let i = 0; i < senders.length; i++) {
      const rules = urlRelabel[i];
      let block = compressed;
      let rows = msg.rows;
      if (rules !== undefined && rules !== null) {
        // A per-URL copy: relabel, then compress again (only when configured).
        const plain = msg.compressed ? snappyDecompress(raw, Number.MAX_SAFE_INTEGER) : raw;
        const r = relabelBlock(plain, rules);
        urlRelabelDropped[i]!.inc(msg.rows - r.rows);
        if (r.rows === 0) continue;
        block = snappyCompress(r.block);
        rows = r.rows;
      }
      if (senders[i]!.push(block, rows) === "dropped") stored = false;
    }
  }
  // The uncompressed block is consumed (compressed, relabeled or written out): its buffer goes back for reuse.
  // Passed-through client bytes stay in the queue's memory cache, so those are kept.
  const ack: BlockAck = msg.compressed
    ? { type: "ack", seq: msg.seq, stored }
    : { type: "ack", seq: msg.seq, stored, buffer: msg.block };
  pendingAcks.push({ port, ack });
  if (!commitScheduled) {
    commitScheduled = true;
    setImmediate(commit);
  }
}

async function loadUrlRelabel(cfg: Config): Promise<void> {
  const next: (CompiledRelabelRules | null)[] = [];
  for (const [i, u] of cfg.remoteWrite.urls.entries()) {
    next.push(
      u.urlRelabelConfig === "" ? null : await loadRelabelConfig(u.urlRelabelConfig, "-remoteWrite.urlRelabelConfig"),
    );
    urlRelabelDropped[i] ??= registry.metric("vmagent_remotewrite_relabel_metrics_dropped_total", {
      url: `${i + 1}:secret-url`,
    });
  }
  urlRelabel = next;
}

function init(cfg: Config, ports: MessagePort[]): void {
  config = cfg;
  registerThreadMemory(registry, "sender");
  startGcPacer(registry, "sender");
  startThreadProfile("sender");
  log = new Logger("sender", cfg.logger);
  const rw = cfg.remoteWrite;
  const destinations: string[] = [];
  if (rw.urls.length === 0) {
    sink = new JsonlSink(rw.quickstartFile, registry);
    destinations.push(`file ${sink.path}`);
  }
  for (const d of resolveDestinations(cfg)) {
    const q = FileQueue.open({
      dir: d.queueDir,
      name: d.displayName,
      maxDiskUsage: d.maxDiskUsage,
      fsyncPolicy: rw.fsyncPolicy,
      fsyncIntervalMs: rw.fsyncIntervalMs,
      memoryCacheBytes: rw.memoryQueueSize,
      memoryFallbackBytes: rw.memoryQueueSize,
      logger: (level, m) => log[level](`queue ${d.displayName}: ${m}`),
    });
    queues.push(q);
    registerQueueMetrics(q, d.queueDir, d.displayName);
    const s = new UrlSender({
      client: d.client,
      queue: q,
      concurrency: rw.queues,
      retryMinMs: rw.retryMinIntervalMs,
      retryMaxMs: rw.retryMaxIntervalMs,
      registry,
      logger: log.child(`remotewrite ${d.displayName}`),
      maxRequestBytes: rw.maxBlockSize,
      maxRequestRows: rw.maxRowsPerBlock,
      lingerMs: rw.flushIntervalMs,
    });
    senders.push(s);
    destinations.push(`${d.displayName} (queue ${d.queueDir})`);
  }
  for (const s of senders) s.start();
  for (const port of ports) {
    port.addEventListener("message", (e) => onBlock(port, (e as MessageEvent<BlockMessage>).data));
    port.start();
  }
  tickTimer = setInterval(() => {
    for (const q of queues) q.tick();
    if (rw.fsyncPolicy === "interval") sink?.sync();
  }, Math.max(10, Math.min(rw.fsyncIntervalMs, 1000)));
  post({ type: "ready", destinations });
}

function registerQueueMetrics(q: FileQueue, path: string, url: string): void {
  const p = { path };
  const st = q.stats;
  registry.gauge("vm_persistentqueue_bytes_written_total", p, () => st.bytesWritten);
  registry.gauge("vm_persistentqueue_blocks_written_total", p, () => st.blocksWritten);
  registry.gauge("vm_persistentqueue_bytes_read_total", p, () => st.bytesRead);
  registry.gauge("vm_persistentqueue_blocks_read_total", p, () => st.blocksRead);
  registry.gauge("vm_persistentqueue_blocks_dropped_total", p, () => st.blocksDropped);
  registry.gauge("vm_persistentqueue_bytes_dropped_total", p, () => st.bytesDropped);
  registry.gauge("vm_persistentqueue_bytes_pending", p, () => q.pendingBytes());
  registry.gauge("drover_persistentqueue_corrupted_records_skipped_total", p, () => st.corruptedRecordsSkipped);
  registry.gauge("drover_persistentqueue_corrupted_bytes_skipped_total", p, () => st.corruptedBytesSkipped);
  registry.gauge("drover_persistentqueue_disk_write_errors_total", p, () => st.diskWriteErrors);
  registry.gauge("drover_persistentqueue_memory_fallback_blocks_total", p, () => st.memoryFallbackBlocks);
  registry.gauge("drover_persistentqueue_legacy_blocks_imported_total", p, () => st.legacyBlocksImported);
  registry.gauge("drover_persistentqueue_legacy_bytes_imported_total", p, () => st.legacyBytesImported);
  registry.gauge("drover_persistentqueue_legacy_bytes_unreadable_total", p, () => st.legacyBytesUnreadable);
  registry.gauge("drover_persistentqueue_memory_cache_bytes", p, () => q.memoryBytes().cache);
  registry.gauge("drover_persistentqueue_memory_fallback_bytes", p, () => q.memoryBytes().fallback);
  registry.gauge("vmagent_remotewrite_pending_data_bytes", { path, url }, () => q.pendingBytes());
  registry.gauge("vmagent_remotewrite_pending_blocks", { path, url }, () => q.pendingBlocks());
}

async function stop(): Promise<void> {
  if (pendingAcks.length > 0) commit();
  await Promise.all(senders.map((s) => s.stop()));
  if (tickTimer !== undefined) clearInterval(tickTimer);
  for (const q of queues) q.close();
  sink?.close();
}

self.onmessage = async (e: MessageEvent<ToSender>) => {
  const msg = e.data;
  switch (msg.type) {
    case "init":
      try {
        await loadUrlRelabel(msg.config);
        init(msg.config, msg.ports);
      } catch (err: unknown) {
        post({ type: "fatal", message: err instanceof Error ? err.message : String(err) });
      }
      break;
    case "metrics":
      post({ type: "metrics", id: msg.id, samples: registry.snapshot() });
      break;
    case "reload":
      if (config !== undefined) {
        // Keep the old rules when a file became unreadable or invalid (as vmagent does).
        await loadUrlRelabel(config).catch((err: unknown) =>
          log.error(`cannot reload -remoteWrite.urlRelabelConfig: ${(err as Error).message}`)
        );
      }
      post({ type: "reloaded", id: msg.id });
      break;
    case "stop":
      await stop();
      post({ type: "stopped", id: msg.id });
      break;
    default: {
      const _exhaustive: never = msg;
      throw new Error(`BUG: unexpected message ${JSON.stringify(_exhaustive)}`);
    }
  }
};
