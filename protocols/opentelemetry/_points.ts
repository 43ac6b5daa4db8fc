/**
 * OTLP data points → samples, for parse.ts. One loop ({@link decodePoints})
 * reads every point message: the fields they share (attributes,
 * `time_unix_nano`, flags; `count` and `sum` of histogram, exponential
 * histogram and summary points) are read by the loop itself, the others by
 * the message's {@link PointKind}, which then writes the point's samples.
 *
 * Mapping: gauge and sum → one sample per point; histogram → `_count`, `_sum`
 * (when set), cumulative `_bucket{le}` (a point without buckets, or with
 * len(buckets) ≠ len(bounds)+1, is skipped entirely); summary → `_count`,
 * `_sum`, `{quantile}`; exponential histogram → `_count`, `_sum`,
 * `_bucket{vmrange}` for the zero bucket and non-empty positive buckets
 * (negative buckets are dropped). Timestamp = floor(ns/1e6) ms with no "now"
 * substitution; flags bit 0 (no recorded value) → staleness marker.
 *
 * State is module-level because a parse worker runs one parse at a time:
 * parse.ts sets {@link target} and fills {@link labels} before each metric.
 *
 * @module
 */

import { ParseError } from "../_shared/protocol.ts";
import type { SeriesWriter } from "../_shared/series_writer.ts";
import { decodeKeyValue, LabelList } from "./attributes.ts";
import {
  expectWire,
  fc,
  fcDouble,
  fcInt,
  fcNanosToMillis,
  fcSint32,
  fcUint,
  fcUint32,
  fnum,
  next,
  nextLen,
  NumberList,
  unpackFixed64s,
  unpackUint64s,
  WIRE_I64,
  WIRE_LEN,
} from "./easyproto.ts";
import { formatFloatE3, formatFloatF, goPow } from "./go_format.ts";
import { MetricType, prometheusLabelName, prometheusMetricName } from "./naming.ts";

/** Labels of the current resource, scope and point, in sample order (parse.ts adds the first ones). */
export const labels = new LabelList();

/** Where samples go and the metric they belong to; set by parse.ts. */
export const target = {
  /** undefined on the validation pass: points are read, nothing is written. */
  writer: undefined as SeriesWriter | undefined,
  /** `-opentelemetry.usePrometheusNaming`. */
  promNaming: false,
  name: "",
  /** Go keeps the unit of the previous metric when a metric has none (decodeMetric sets it only when present). */
  unit: "",
  type: MetricType.Unknown as MetricType,
};

/** How one point message differs from the others; the four kinds are below. */
export class PointKind {
  constructor(
    /** Number of the `attributes` field, which each message numbers differently. */
    readonly attributesField: number,
    /** Number of the `flags` field. */
    readonly flagsField: number,
    /** Whether fields 4 and 5 are the fixed64 `count` and the double `sum`. */
    readonly countSum: boolean,
    /** Reads any other field (the one just read into `fc`); unknown fields are ignored. */
    readonly field: (buf: Uint8Array, num: number) => void,
    /** Writes the point's samples; called on the write pass only. */
    readonly emit: () => void,
  ) {}
}

// The point being decoded; every field is reset by decodePoint().
let ts = 0;
let flags = 0;
let count = 0;
let sum = 0;
let hasSum = false;
let value = 0;
let scale = 0;
let offset = 0;
let zeroCount = 0;
let zeroThreshold = 0;
const bucketCounts = new NumberList();
const bounds = new NumberList();
/** Summary quantiles as (quantile, value) pairs. */
const quantiles = new NumberList();

/** Decodes each `data_points = 1` of a Gauge/Sum/Histogram/… at [start, end). */
export function decodePoints(buf: Uint8Array, start: number, end: number, kind: PointKind): void {
  let p = start;
  while ((p = nextLen(buf, p, end, 1, "DataPoint data")) >= 0) decodePoint(buf, fc.start, fc.end, kind);
}

/** Decodes and writes one point; its labels are removed afterwards. */
function decodePoint(buf: Uint8Array, start: number, end: number, kind: PointKind): void {
  const base = labels.n;
  ts = 0;
  flags = 0;
  count = 0;
  sum = 0;
  hasSum = false;
  value = 0;
  scale = 0;
  offset = 0;
  zeroCount = 0;
  zeroThreshold = 0;
  bucketCounts.n = 0;
  bounds.n = 0;
  quantiles.n = 0;
  let p = start;
  while (p < end) {
    p = next(buf, p, end);
    const num = fnum();
    if (num === 3) {
      fixed64("TimeUnixNano");
      ts = fcNanosToMillis();
    } else if (num === kind.attributesField) {
      expectWire(WIRE_LEN, "Attributes");
      decodeKeyValue(buf, fc.start, fc.end, labels, "");
    } else if (num === kind.flagsField) {
      flags = fcUint32("Flags");
    } else if (num === 4 && kind.countSum) {
      fixed64("Count");
      count = fcUint();
    } else if (num === 5 && kind.countSum) {
      fixed64("Sum");
      sum = fcDouble();
      hasSum = true;
    } else {
      kind.field(buf, num);
    }
  }
  if (target.writer !== undefined) kind.emit();
  labels.n = base;
}

function fixed64(what: string): void {
  if (fc.wire !== WIRE_I64) throw new ParseError(`Cannot read ${what}`);
}

/** NumberDataPoint of gauges and sums. */
export const NUMBER_POINT = new PointKind(
  7,
  8,
  false,
  (_buf, num) => {
    if (num === 4) {
      fixed64("DoubleValue");
      value = fcDouble();
    } else if (num === 6) {
      fixed64("IntValue");
      value = fcInt();
    }
  },
  () => push("", value),
);

export const HISTOGRAM_POINT = new PointKind(
  9,
  10,
  true,
  (buf, num) => {
    if (num === 6) unpackFixed64s(buf, bucketCounts, false, "BucketCounts");
    else if (num === 7) unpackFixed64s(buf, bounds, true, "ExplicitBounds");
  },
  () => {
    const nb = bucketCounts.n;
    const nx = bounds.n;
    if (nb === 0 || nb !== nx + 1) return;
    pushCountSum(hasSum);
    const at = labels.n;
    let cumulative = 0;
    for (let i = 0; i < nx; i++) {
      cumulative += bucketCounts.a[i]!;
      pushLabeled(at, "le", formatFloatF(bounds.a[i]!), "_bucket", cumulative);
    }
    cumulative += bucketCounts.a[nb - 1]!;
    pushLabeled(at, "le", "+Inf", "_bucket", cumulative);
  },
);

export const EXP_HISTOGRAM_POINT = new PointKind(
  1,
  10,
  true,
  (buf, num) => {
    switch (num) {
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
  },
  () => {
    pushCountSum(true);
    const at = labels.n;
    if (zeroCount > 0) {
      pushLabeled(at, "vmrange", formatFloatE3(0) + "..." + formatFloatE3(zeroThreshold), "_bucket", zeroCount);
    }
    const ratio = goPow(2, -scale);
    const base = goPow(2, ratio);
    const bound = goPow(2, offset * ratio);
    for (let i = 0; i < bucketCounts.n; i++) {
      const c = bucketCounts.a[i]!;
      if (c <= 0) continue;
      const lower = bound * goPow(base, i);
      const upper = lower * base;
      pushLabeled(at, "vmrange", formatFloatE3(lower) + "..." + formatFloatE3(upper), "_bucket", c);
    }
  },
);

export const SUMMARY_POINT = new PointKind(
  7,
  8,
  true,
  (buf, num) => {
    if (num !== 6) return;
    expectWire(WIRE_LEN, "ValueAtQuantile");
    const qe = fc.end;
    let q = fc.start;
    let quantile = 0;
    let v = 0;
    while (q < qe) {
      q = next(buf, q, qe);
      if (fnum() === 1) {
        fixed64("Quantile");
        quantile = fcDouble();
      } else if (fnum() === 2) {
        fixed64("Value");
        v = fcDouble();
      }
    }
    quantiles.push(quantile);
    quantiles.push(v);
  },
  () => {
    pushCountSum(true);
    const at = labels.n;
    for (let i = 0; i < quantiles.n; i += 2) {
      pushLabeled(at, "quantile", formatFloatF(quantiles.a[i]!), "", quantiles.a[i + 1]!);
    }
  },
);

function pushCountSum(withSum: boolean): void {
  push("_count", count);
  if (withSum) push("_sum", sum);
}

/** Writes one sample with the labels up to `at` plus `name=value`. */
function pushLabeled(at: number, name: string, labelValue: string, suffix: string, v: number): void {
  labels.n = at;
  labels.add(name, labelValue);
  push(suffix, v);
}

let nameCacheKey = "";
let nameCacheVal = "";

function metricName(): string {
  if (!target.promNaming) return target.name;
  const key = target.type + "\u0000" + target.unit + "\u0000" + target.name;
  if (key !== nameCacheKey) {
    nameCacheKey = key;
    nameCacheVal = prometheusMetricName(target.name, target.unit, target.type);
  }
  return nameCacheVal;
}

/** Writes one sample of the current point with the current labels (vmagent's PushSample). */
function push(suffix: string, v: number): void {
  const w = target.writer;
  if (w === undefined) return;
  const promNaming = target.promNaming;
  w.begin();
  w.label("__name__", metricName() + suffix);
  const n = labels.n;
  for (let i = 0; i < n; i++) {
    const name = labels.names[i]!;
    w.label(promNaming ? prometheusLabelName(name) : name, labels.values[i]!);
  }
  if ((flags & 1) !== 0) w.staleSample(ts);
  else w.sample(v, ts);
  w.end();
}
