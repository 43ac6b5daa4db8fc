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
 * A metric without a name fails the request. Data points → samples (the
 * mapping of each metric type, timestamps, staleness): _points.ts.
 *
 * The body is scanned twice: first to validate (a malformed body is rejected
 * with nothing written, like vmagent), then to write.
 *
 * @module
 */

import { ParseError } from "../_shared/protocol.ts";
import type { SeriesWriter } from "../_shared/series_writer.ts";
import {
  decodePoints,
  EXP_HISTOGRAM_POINT,
  HISTOGRAM_POINT,
  labels as ls,
  NUMBER_POINT,
  type PointKind,
  SUMMARY_POINT,
  target,
} from "./_points.ts";
import { decodeKeyValue, LabelList } from "./attributes.ts";
import { expectWire, fc, fcBool, fcString, fnum, getField, next, nextLen, WIRE_LEN, WIRE_VARINT } from "./easyproto.ts";
import { MetricType } from "./naming.ts";

export interface OpenTelemetryOptions {
  /** `-opentelemetry.usePrometheusNaming`. */
  readonly usePrometheusNaming: boolean;
}

/** Parses an OTLP metrics request into `writer`. Throws ParseError (nothing written) when malformed. */
export function parseOpenTelemetry(body: Uint8Array, writer: SeriesWriter, opts: OpenTelemetryOptions): void {
  if (body.length > 0 && body[0] === 0x7b) {
    throw new ParseError("json encoding isn't supported for opentelemetry format. Use protobuf encoding");
  }
  target.promNaming = opts.usePrometheusNaming;
  try {
    target.writer = undefined;
    ls.store = false;
    decode(body);
    target.writer = writer;
    ls.store = true;
    decode(body);
  } finally {
    target.writer = undefined;
    ls.reset();
  }
}

function decode(buf: Uint8Array): void {
  ls.reset();
  target.name = "";
  target.unit = "";
  target.type = MetricType.Unknown;
  const end = buf.length;
  let p = 0;
  while ((p = nextLen(buf, p, end, 1, "ResourceMetrics data")) >= 0) decodeResourceMetrics(buf, fc.start, fc.end);
}

function decodeResourceMetrics(buf: Uint8Array, start: number, end: number): void {
  ls.reset();
  if (getField(buf, start, end, 1, WIRE_LEN)) {
    // Resource { repeated KeyValue attributes = 1; }
    const re = fc.end;
    let p = fc.start;
    while ((p = nextLen(buf, p, re, 1, "Attributes")) >= 0) decodeKeyValue(buf, fc.start, fc.end, ls, "");
  }
  let p = start;
  while ((p = nextLen(buf, p, end, 2, "ScopeMetrics data")) >= 0) decodeScopeMetrics(buf, fc.start, fc.end);
}

/** Adds the scope labels for the scope's metrics, and removes them afterwards. */
function decodeScopeMetrics(buf: Uint8Array, start: number, end: number): void {
  const base = ls.n;
  if (getField(buf, start, end, 1, WIRE_LEN)) {
    const ss = fc.start;
    const se = fc.end;
    ls.add("scope.name", getField(buf, ss, se, 1, WIRE_LEN) ? fcString(buf) : "unknown");
    ls.add("scope.version", getField(buf, ss, se, 2, WIRE_LEN) ? fcString(buf) : "unknown");
    let p = ss;
    while ((p = nextLen(buf, p, se, 3, "Attributes data")) >= 0) {
      decodeKeyValue(buf, fc.start, fc.end, ls, "scope.attributes");
    }
  }
  let p = start;
  while ((p = nextLen(buf, p, end, 2, "Metric data")) >= 0) decodeMetric(buf, fc.start, fc.end);
  ls.n = base;
}

/** A Metric field read by decodeMetric(): its name in errors and, for data fields, the metric type and point message. */
interface MetricField {
  readonly what: string;
  readonly type: MetricType;
  readonly points: PointKind | null;
}
const field = (what: string, type = MetricType.Unknown, points: PointKind | null = null): MetricField => ({
  what,
  type,
  points,
});
/** By field number; Sum (7) is a counter when monotonic. */
const METRIC_FIELDS: readonly (MetricField | undefined)[] = [
  undefined,
  undefined,
  field("metric description"),
  undefined,
  undefined,
  field("Gauge data", MetricType.Gauge, NUMBER_POINT),
  undefined,
  field("Sum data", MetricType.Gauge, NUMBER_POINT),
  undefined,
  field("Histogram data", MetricType.Histogram, HISTOGRAM_POINT),
  field("ExponentialHistogram data", MetricType.Histogram, EXP_HISTOGRAM_POINT),
  field("Summary data", MetricType.Summary, SUMMARY_POINT),
  field("metadata attributes"),
];
const META = new LabelList();
META.store = false;

function decodeMetric(buf: Uint8Array, start: number, end: number): void {
  if (!getField(buf, start, end, 1, WIRE_LEN)) throw new ParseError("Missing metric name");
  target.name = fcString(buf);
  if (getField(buf, start, end, 3, WIRE_LEN)) target.unit = fcString(buf);
  target.type = MetricType.Unknown;
  let p = start;
  while (p < end) {
    p = next(buf, p, end);
    const num = fnum();
    const f = METRIC_FIELDS[num];
    if (f === undefined) continue;
    expectWire(WIRE_LEN, f.what);
    const s = fc.start;
    const e = fc.end;
    if (f.points !== null) {
      const sumMonotonic = num === 7 && getField(buf, s, e, 3, WIRE_VARINT) && fcBool("isMonotonic");
      target.type = sumMonotonic ? MetricType.Counter : f.type;
      decodePoints(buf, s, e, f.points);
    } else if (num === 12) {
      // Metric metadata only sets the metadata type, which Drover does not forward; decoded for its errors.
      decodeKeyValue(buf, s, e, META, "");
    }
  }
}
