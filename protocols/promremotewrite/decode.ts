/**
 * Scanner of `prometheus.WriteRequest` bytes: validates a request and relays its series into a BlockBuilder,
 * optionally rewriting labels (_rewrite.ts); also decodes a request into objects for tests. codec.bench.ts (10k
 * series × 10 labels): fast path ~2 GB/s (7M samples/s), rewrite path ~500 MB/s, protobufjs decode ~110 MB/s. No
 * per-series or per-sample allocation: positions go to module-level scratch arrays (_series_scan.ts; safe because a
 * call runs to completion on its thread). Wire readers: _wire.ts.
 *
 * @module
 */
import type { BlockBuilder } from "./encode.ts";
import { prepare, rewriteSeries } from "./_rewrite.ts";
import { scanClean, scanLabels, scanSamples, scanSeries } from "./_series_scan.ts";
import { int64, lengthPrefix, skipField, tag, val, varint, wrongType } from "./_wire.ts";

export interface RelayOptions {
  /**
   * Labels appended verbatim after the series' own labels, even when a label of the same name exists (vmagent's
   * `extra_label` handling; VictoriaMetrics keeps the last of duplicate names). Applied before `setLabels`.
   */
  appendLabels?: readonly (readonly [string, string])[];
  /** Labels to set on every series: a same-name label is overwritten, otherwise appended (after the series' own labels). Used for `extra_label` query args and `-remoteWrite.label`. */
  setLabels: readonly (readonly [string, string])[];
  /** When true, afterwards drop labels with empty values and labels starting with "__" except "__name__" (vmagent does this whenever -remoteWrite.label is set); a series left without labels is dropped. */
  dropEmptyAndInternal: boolean;
}
export interface RelayResult {
  series: number;
  samples: number;
  /**
   * True when the request holds nothing but time series with labels and
   * samples, so its bytes may be forwarded verbatim. Metadata, exemplars,
   * histograms, unknown fields and groups make it false: vmagent re-encodes
   * what it forwards, and a strict receiver may reject such bytes.
   */
  clean: boolean;
}
/** No label changes: used to re-encode a series that is not clean. */
const NO_REWRITE = prepare([], []);

/** Scans the whole request; with `out === null` only validates. */
function scan(
  src: Uint8Array,
  out: BlockBuilder | null,
  opts: RelayOptions,
  onSeries: (() => void) | undefined,
): RelayResult {
  const appendCount = opts.appendLabels?.length ?? 0;
  const rewrite = opts.setLabels.length > 0 || opts.dropEmptyAndInternal || appendCount > 0;
  const prep = out !== null && rewrite ? prepare(opts.setLabels, opts.appendLabels) : null;
  let series = 0;
  let samples = 0;
  let clean = true;
  const end = src.length;
  let p = 0;
  while (p < end) {
    const tp = p;
    p = tag(src, p, end);
    const t = val;
    const wt = t & 7;
    const field = t >>> 3;
    if (field === 1 || field === 3) {
      if (wt !== 2) throw wrongType(field === 1 ? "WriteRequest.timeseries" : "WriteRequest.metadata", wt, tp);
      p = lengthPrefix(src, p, end, field === 1 ? "TimeSeries" : "MetricMetadata");
      const e = p + val;
      if (field === 1) {
        scanSeries(src, p, e, prep !== null);
        if (!scanClean) clean = false;
        if (out !== null) {
          let appended = true;
          if (prep !== null) appended = rewriteSeries(src, p, e, out, opts, prep);
          else if (!scanClean) {
            scanSeries(src, p, e, true); // again, recording the label ranges to re-encode
            appended = rewriteSeries(src, p, e, out, opts, NO_REWRITE);
          } else out.appendRawTimeSeriesRange(src, p, e, scanSamples, scanLabels);
          if (appended) {
            series++;
            samples += scanSamples;
            onSeries?.();
          }
        } else {
          series++;
          samples += scanSamples;
        }
      } else clean = false;
      p = e;
    } else {
      p = skipField(src, p, end, wt);
      clean = false;
    }
  }
  return { series, samples, clean };
}

/**
 * Validates `src` as a WriteRequest and appends each TimeSeries to `out`. Throws SyntaxError("Cannot parse
 * WriteRequest: …") on malformed protobuf (UTF-8 is not checked, like vmagent). Metadata (field 3), unknown fields and
 * groups are skipped; exemplars/histograms are dropped. A series holding only labels and samples is copied verbatim
 * unless labels are rewritten; any other series is re-encoded, keeping only its labels and samples, as vmagent does.
 *
 * Atomicity: on error nothing from `src` remains in `out`. Without `onSeries` this is a single pass rolled back on
 * error; with `onSeries` the request is validated in a first pass (fast path 1.4 ms → 2.2 ms per 10k series in
 * codec.bench.ts) because the callback may have flushed `out` already.
 *
 * `onSeries` is called after each appended series; it may flush (`finish()` + `reset()`) `out`, e.g. when
 * `out.rows >= maxRows || out.byteLength >= maxBytes`. `src` must not be modified during the call.
 */
export function relayWriteRequest(
  src: Uint8Array,
  out: BlockBuilder,
  opts: RelayOptions,
  onSeries?: () => void,
): RelayResult {
  if (onSeries !== undefined) {
    scan(src, null, opts, undefined);
    return scan(src, out, opts, onSeries);
  }
  const m = out.mark();
  try {
    return scan(src, out, opts, undefined);
  } catch (e) {
    out.restore(m);
    throw e;
  }
}

/** Validates `src` as a WriteRequest without copying; returns its series and sample counts. */
export function validateWriteRequest(src: Uint8Array): RelayResult {
  return scan(src, null, { setLabels: [], dropEmptyAndInternal: false }, undefined);
}

/** A decoded series, for tests and the quick-start sink. */
export interface DecodedSeries {
  labels: [string, string][];
  /**
   * `stale` marks the Prometheus staleness NaN (bits 0x7ff0000000000002): JavaScriptCore canonicalises NaN payloads,
   * so `value` alone cannot carry it.
   */
  samples: { value: number; timestamp: number; stale: boolean }[];
}

const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const STALE_BYTES = [0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f];

/** Whether the little-endian double at `src[p]` is the Prometheus stale marker. */
export function isStaleNaNAt(src: Uint8Array, p: number): boolean {
  for (let i = 0; i < 8; i++) if (src[p + i] !== STALE_BYTES[i]) return false;
  return true;
}
const F64 = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64.buffer);

/** Fully decodes a WriteRequest into objects (allocates; not for hot paths). Same validation as relayWriteRequest. */
export function decodeWriteRequest(src: Uint8Array): DecodedSeries[] {
  const res: DecodedSeries[] = [];
  const relay = { setLabels: [], dropEmptyAndInternal: false };
  const end = src.length;
  let p = 0;
  scan(src, null, relay, undefined); // validates everything, so the loops below need no checks
  while (p < end) {
    p = varint(src, p, end);
    const t = val;
    if (t !== 0x0a) {
      p = skipField(src, p, end, t & 7);
      continue;
    }
    const start = varint(src, p, end);
    const e = start + val;
    const series: DecodedSeries = { labels: [], samples: [] };
    for (let q = start; q < e;) {
      q = varint(src, q, e);
      const ft = val;
      const fs = ft === 0x0a || ft === 0x12 ? varint(src, q, e) : 0;
      if (ft === 0x0a) {
        let name = "";
        let value = "";
        const le = fs + val;
        for (let r = fs; r < le;) {
          r = varint(src, r, le);
          const lt = val;
          if (lt === 0x0a || lt === 0x12) {
            r = varint(src, r, le);
            const str = utf8Decoder.decode(src.subarray(r, r + val));
            if (lt === 0x0a) name = str;
            else value = str;
            r += val;
          } else r = skipField(src, r, le, lt & 7);
        }
        series.labels.push([name, value]);
      } else if (ft === 0x12) {
        let value = 0;
        let timestamp = 0;
        let stale = false;
        const se = fs + val;
        for (let r = fs; r < se;) {
          r = varint(src, r, se);
          const st = val;
          if (st === 0x09) {
            for (let i = 0; i < 8; i++) F64_BYTES[i] = src[r + i]!;
            value = F64[0]!;
            stale = isStaleNaNAt(src, r);
            r += 8;
          } else if (st === 0x10) {
            r = int64(src, r, se);
            timestamp = val;
          } else r = skipField(src, r, se, st & 7);
        }
        series.samples.push({ value, timestamp, stale });
      }
      q = skipField(src, q, e, ft & 7);
    }
    res.push(series);
    p = e;
  }
  return res;
}
