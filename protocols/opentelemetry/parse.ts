/**
 * OpenTelemetry OTLP/HTTP protobuf `ExportMetricsServiceRequest` → series,
 * as current vmagent converts it (`lib/protoparser/opentelemetry/pb`
 * `DecodeMetricsData` + `stream/streamparser.go`; the Debian v1.79.5 has no
 * OpenTelemetry endpoint).
 *
 * Labels of every sample, in order: `__name__`, resource attributes, then —
 * when the ScopeMetrics has a scope — `scope.name` and `scope.version`
 * (`unknown` when unset) and `scope.attributes.<key>`, then the data point's
 * attributes, then `le` / `quantile` / `vmrange`. With
 * `-opentelemetry.usePrometheusNaming` every label name is sanitized and the
 * metric name gets unit and `_total`/`_ratio` suffixes (naming.ts).
 *
 * Mapping: gauge and sum (any temporality, monotonic or not) → one sample per
 * point; histogram → `_count`, `_sum` (when set), cumulative `_bucket{le}` (a
 * point without buckets, or with len(buckets) ≠ len(bounds)+1, is skipped
 * entirely); summary → `_count`, `_sum`, `{quantile}`; exponential histogram →
 * `_count`, `_sum`, `_bucket{vmrange}` for the zero bucket and non-empty
 * positive buckets (negative buckets are dropped). Timestamp = floor(ns/1e6)
 * ms with no "now" substitution; flags bit 0 (no recorded value) → staleness
 * marker. A metric without a name fails the request.
 *
 * The body is scanned twice: first to validate (a malformed body is rejected
 * with nothing written, like vmagent), then to write.
 *
 * @module
 */

import { ParseError } from "../_shared/protocol.ts";
import type { SeriesWriter } from "../_shared/series_writer.ts";
import { decodeKeyValue, LabelList } from "./attributes.ts";
import {
  expectWire,
  fc,
  fnum,
  fcBool,
  fcDouble,
  fcInt,
  fcNanosToMillis,
  fcSint32,
  fcString,
  fcUint,
  fcUint32,
  getField,
  next,
  NumberList,
  unpackFixed64s,
  unpackUint64s,
  WIRE_I64,
  WIRE_LEN,
  WIRE_VARINT,
} from "./easyproto.ts";
import { formatFloatE3, formatFloatF, goPow } from "./go_format.ts";
import { MetricType, prometheusLabelName, prometheusMetricName } from "./naming.ts";

export interface OpenTelemetryOptions {
  /** `-opentelemetry.usePrometheusNaming`. */
  readonly usePrometheusNaming: boolean;
}

/** Decoder state for one body; module-level because a parse worker runs one parse at a time. */
const ls = new LabelList();
let w: SeriesWriter | undefined;
let promNaming = false;
let mmName = "";
// Go keeps the unit of the previous metric when a metric has none (decodeMetric sets it only when present).
let mmUnit = "";
let mmType = MetricType.Unknown;
let nameCacheKey = "";
let nameCacheVal = "";

const bucketCounts = new NumberList();
const bounds = new NumberList();

/** Parses an OTLP metrics request into `writer`. Throws ParseError (nothing written) when malformed. */
export function parseOpenTelemetry(body: Uint8Array, writer: SeriesWriter, opts: OpenTelemetryOptions): void {
  if (body.length > 0 && body[0] === 0x7b) {
    throw new ParseError("json encoding isn't supported for opentelemetry format. Use protobuf encoding");
  }
  promNaming = opts.usePrometheusNaming;
  try {
    w = undefined;
    ls.store = false;
    decode(body);
    w = writer;
    ls.store = true;
    decode(body);
  } finally {
    w = undefined;
    ls.reset();
  }
}

function decode(buf: Uint8Array): void {
  ls.reset();
  mmName = "";
  mmUnit = "";
  mmType = MetricType.Unknown;
  const end = buf.length;
  let p = 0;
  while (p < end) {
    p = next(buf, p, end);
    if (fnum() !== 1) continue;
    expectWire(WIRE_LEN, "ResourceMetrics data");
    const s = fc.start;
    const e = fc.end;
    decodeResourceMetrics(buf, s, e);
  }
}

function decodeResourceMetrics(buf: Uint8Array, start: number, end: number): void {
  ls.reset();
  if (getField(buf, start, end, 1, WIRE_LEN)) {
    // Resource { repeated KeyValue attributes = 1; }
    const re = fc.end;
    let p = fc.start;
    while (p < re) {
      p = next(buf, p, re);
      if (fnum() !== 1) continue;
      expectWire(WIRE_LEN, "Attributes");
      const s = fc.start;
      const e = fc.end;
      decodeKeyValue(buf, s, e, ls, "");
    }
  }
  const snap = ls.n;
  let p = start;
  while (p < end) {
    p = next(buf, p, end);
    if (fnum() !== 2) continue;
    expectWire(WIRE_LEN, "ScopeMetrics data");
    const s = fc.start;
    const e = fc.end;
    decodeScopeMetrics(buf, s, e);
    ls.n = snap;
  }
}

function decodeScopeMetrics(buf: Uint8Array, start: number, end: number): void {
  if (getField(buf, start, end, 1, WIRE_LEN)) {
    const ss = fc.start;
    const se = fc.end;
    ls.add("scope.name", getField(buf, ss, se, 1, WIRE_LEN) ? fcString(buf) : "unknown");
    ls.add("scope.version", getField(buf, ss, se, 2, WIRE_LEN) ? fcString(buf) : "unknown");
    let p = ss;
    while (p < se) {
      p = next(buf, p, se);
      if (fnum() !== 3) continue;
      expectWire(WIRE_LEN, "Attributes data");
      const s = fc.start;
      const e = fc.end;
      decodeKeyValue(buf, s, e, ls, "scope.attributes");
    }
  }
  const snap = ls.n;
  let p = start;
  while (p < end) {
    p = next(buf, p, end);
    if (fnum() !== 2) continue;
    expectWire(WIRE_LEN, "Metric data");
    const s = fc.start;
    const e = fc.end;
    decodeMetric(buf, s, e);
    ls.n = snap;
  }
}

const METRIC_FIELD_NAMES = [
  "",
  "",
  "metric description",
  "",
  "",
  "Gauge data",
  "",
  "Sum data",
  "",
  "Histogram data",
  "ExponentialHistogram data",
  "Summary data",
  "metadata attributes",
];
const META = new LabelList();
META.store = false;

function decodeMetric(buf: Uint8Array, start: number, end: number): void {
  if (!getField(buf, start, end, 1, WIRE_LEN)) throw new ParseError("Missing metric name");
  mmName = fcString(buf);
  if (getField(buf, start, end, 3, WIRE_LEN)) mmUnit = fcString(buf);
  mmType = MetricType.Unknown;
  let p = start;
  while (p < end) {
    p = next(buf, p, end);
    const num = fnum();
    if (num !== 2 && num !== 5 && num !== 7 && num !== 9 && num !== 10 && num !== 11 && num !== 12) continue;
    expectWire(WIRE_LEN, METRIC_FIELD_NAMES[num]!);
    const s = fc.start;
    const e = fc.end;
    switch (num) {
      case 5:
        mmType = MetricType.Gauge;
        forEachPoint(buf, s, e, decodeNumberDataPoint);
        break;
      case 7: {
        const mono = getField(buf, s, e, 3, WIRE_VARINT) ? fcBool("isMonotonic") : false;
        mmType = mono ? MetricType.Counter : MetricType.Gauge;
        forEachPoint(buf, s, e, decodeNumberDataPoint);
        break;
      }
      case 9:
        mmType = MetricType.Histogram;
        forEachPoint(buf, s, e, decodeHistogramDataPoint);
        break;
      case 10:
        mmType = MetricType.Histogram;
        forEachPoint(buf, s, e, decodeExpHistogramDataPoint);
        break;
      case 11:
        mmType = MetricType.Summary;
        forEachPoint(buf, s, e, decodeSummaryDataPoint);
        break;
      case 12:
        // Metric metadata only sets the metadata type, which Drover does not forward; decoded for its errors.
        decodeKeyValue(buf, s, e, META, "");
        break;
    }
  }
}

/** Calls `fn` for each `data_points = 1` of a Gauge/Sum/Histogram/…, restoring the labels after each. */
type PointDecoder = (buf: Uint8Array, s: number, e: number) => void;

function forEachPoint(buf: Uint8Array, start: number, end: number, fn: PointDecoder): void {
  const snap = ls.n;
  let p = start;
  while (p < end) {
    p = next(buf, p, end);
    if (fnum() !== 1) continue;
    expectWire(WIRE_LEN, "DataPoint data");
    const s = fc.start;
    const e = fc.end;
    fn(buf, s, e);
    ls.n = snap;
  }
}

/** Reads a KeyValue attribute field into the labels. */
function attribute(buf: Uint8Array): void {
  expectWire(WIRE_LEN, "Attributes");
  decodeKeyValue(buf, fc.start, fc.end, ls, "");
}

function fixed64(what: string): void {
  if (fc.wire !== WIRE_I64) throw new ParseError(`Cannot read ${what}`);
}

function decodeNumberDataPoint(buf: Uint8Array, start: number, end: number): void {
  let ts = 0;
  let value = 0;
  let flags = 0;
  let p = start;
  while (p < end) {
    p = next(buf, p, end);
    switch (fnum()) {
      case 7:
        attribute(buf);
        break;
      case 3:
        fixed64("TimeUnixNano");
        ts = fcNanosToMillis();
        break;
      case 4:
        fixed64("DoubleValue");
        value = fcDouble();
        break;
      case 6:
        fixed64("IntValue");
        value = fcInt();
        break;
      case 8:
        flags = fcUint32("Flags");
        break;
    }
  }
  push("", ts, value, flags);
}

function decodeHistogramDataPoint(buf: Uint8Array, start: number, end: number): void {
  let ts = 0;
  let count = 0;
  let sum = 0;
  let hasSum = false;
  let flags = 0;
  bucketCounts.n = 0;
  bounds.n = 0;
  let p = start;
  while (p < end) {
    p = next(buf, p, end);
    switch (fnum()) {
      case 9:
        attribute(buf);
        break;
      case 3:
        fixed64("TimeUnixNano");
        ts = fcNanosToMillis();
        break;
      case 4:
        fixed64("Count");
        count = fcUint();
        break;
      case 5:
        fixed64("Sum");
        sum = fcDouble();
        hasSum = true;
        break;
      case 6:
        unpackFixed64s(buf, bucketCounts, false, "BucketCounts");
        break;
      case 7:
        unpackFixed64s(buf, bounds, true, "ExplicitBounds");
        break;
      case 10:
        flags = fcUint32("Flags");
        break;
    }
  }
  const nb = bucketCounts.n;
  const nx = bounds.n;
  if (nb === 0 || nb !== nx + 1 || w === undefined) return;
  push("_count", ts, count, flags);
  if (hasSum) push("_sum", ts, sum, flags);
  const at = ls.n;
  let cumulative = 0;
  for (let i = 0; i < nx; i++) {
    cumulative += bucketCounts.a[i]!;
    ls.n = at;
    ls.add("le", formatFloatF(bounds.a[i]!));
    push("_bucket", ts, cumulative, flags);
  }
  cumulative += bucketCounts.a[nb - 1]!;
  ls.n = at;
  ls.add("le", "+Inf");
  push("_bucket", ts, cumulative, flags);
}

function decodeExpHistogramDataPoint(buf: Uint8Array, start: number, end: number): void {
  let ts = 0;
  let count = 0;
  let sum = 0;
  let scale = 0;
  let zeroCount = 0;
  let zeroThreshold = 0;
  let offset = 0;
  let flags = 0;
  bucketCounts.n = 0;
  let p = start;
  while (p < end) {
    p = next(buf, p, end);
    switch (fnum()) {
      case 1:
        attribute(buf);
        break;
      case 3:
        fixed64("TimeUnixNano");
        ts = fcNanosToMillis();
        break;
      case 4:
        fixed64("Count");
        count = fcUint();
        break;
      case 5:
        fixed64("Sum");
        sum = fcDouble();
        break;
      case 6:
        scale = fcSint32("Scale");
        break;
      case 7:
        fixed64("ZeroCount");
        zeroCount = fcUint();
        break;
      case 8: {
        expectWire(WIRE_LEN, "Positive buckets");
        const be = fc.end;
        let q = fc.start;
        while (q < be) {
          q = next(buf, q, be);
          if (fnum() === 1) offset = fcSint32("Offset");
          else if (fnum() === 2) unpackUint64s(buf, bucketCounts, "BucketCounts");
        }
        break;
      }
      case 10:
        flags = fcUint32("Flags");
        break;
      case 12:
        fixed64("Min");
        break;
      case 13:
        fixed64("Max");
        break;
      case 14:
        fixed64("ZeroThreshold");
        zeroThreshold = fcDouble();
        break;
    }
  }
  if (w === undefined) return;
  push("_count", ts, count, flags);
  push("_sum", ts, sum, flags);
  const at = ls.n;
  if (zeroCount > 0) {
    ls.n = at;
    ls.add("vmrange", formatFloatE3(0) + "..." + formatFloatE3(zeroThreshold));
    push("_bucket", ts, zeroCount, flags);
  }
  const ratio = goPow(2, -scale);
  const base = goPow(2, ratio);
  const bound = goPow(2, offset * ratio);
  for (let i = 0; i < bucketCounts.n; i++) {
    const c = bucketCounts.a[i]!;
    if (c <= 0) continue;
    const lower = bound * goPow(base, i);
    const upper = lower * base;
    ls.n = at;
    ls.add("vmrange", formatFloatE3(lower) + "..." + formatFloatE3(upper));
    push("_bucket", ts, c, flags);
  }
}

function decodeSummaryDataPoint(buf: Uint8Array, start: number, end: number): void {
  let ts = 0;
  let count = 0;
  let sum = 0;
  let flags = 0;
  const qs: number[] = [];
  let p = start;
  while (p < end) {
    p = next(buf, p, end);
    switch (fnum()) {
      case 7:
        attribute(buf);
        break;
      case 3:
        fixed64("TimeUnixNano");
        ts = fcNanosToMillis();
        break;
      case 4:
        fixed64("Count");
        count = fcUint();
        break;
      case 5:
        fixed64("Sum");
        sum = fcDouble();
        break;
      case 6: {
        expectWire(WIRE_LEN, "ValueAtQuantile");
        const qe = fc.end;
        let q = fc.start;
        let quantile = 0;
        let value = 0;
        while (q < qe) {
          q = next(buf, q, qe);
          if (fnum() === 1) {
            fixed64("Quantile");
            quantile = fcDouble();
          } else if (fnum() === 2) {
            fixed64("Value");
            value = fcDouble();
          }
        }
        qs.push(quantile, value);
        break;
      }
      case 8:
        flags = fcUint32("Flags");
        break;
    }
  }
  if (w === undefined) return;
  push("_count", ts, count, flags);
  push("_sum", ts, sum, flags);
  const at = ls.n;
  for (let i = 0; i < qs.length; i += 2) {
    ls.n = at;
    ls.add("quantile", formatFloatF(qs[i]!));
    push("", ts, qs[i + 1]!, flags);
  }
}

function metricName(): string {
  if (!promNaming) return mmName;
  const key = mmType + "\u0000" + mmUnit + "\u0000" + mmName;
  if (key !== nameCacheKey) {
    nameCacheKey = key;
    nameCacheVal = prometheusMetricName(mmName, mmUnit, mmType);
  }
  return nameCacheVal;
}

/** Writes one sample with the current labels (vmagent's PushSample). */
function push(suffix: string, tsMs: number, value: number, flags: number): void {
  if (w === undefined) return;
  w.begin();
  w.label("__name__", metricName() + suffix);
  const n = ls.n;
  for (let i = 0; i < n; i++) {
    const name = ls.names[i]!;
    w.label(promNaming ? prometheusLabelName(name) : name, ls.values[i]!);
  }
  if ((flags & 1) !== 0) w.staleSample(tsMs);
  else w.sample(value, tsMs);
  w.end();
}
