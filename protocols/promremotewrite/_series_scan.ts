/**
 * Validation of one `prometheus.TimeSeries` body for decode.ts: checks its
 * labels and samples, counts them, and (when asked) records each label's
 * name and value ranges in {@link labelPos} for label rewriting
 * (_rewrite.ts). Results are module-level, valid until the next scanSeries().
 *
 * @module
 */
import { fail, lengthPrefix, skipField, skipVarint, tag, val, wrongType } from "./_wire.ts";

/** Results of the last scanSeries(): samples, labels, and whether it had exemplars or histograms. */
export let scanSamples = 0;
export let scanLabels = 0;
export let scanExtras = false;
/**
 * False when the last scanned series holds anything but labels (name and
 * value) and samples (value and timestamp): exemplars, histograms, unknown
 * fields or groups. Such a series is re-encoded, never forwarded verbatim.
 */
export let scanClean = true;
/** [nameStart, nameEnd, valueStart, valueEnd] per label of the last scanned series, when recording. */
export let labelPos = new Int32Array(4 * 64);

/** Whether the series being scanned is clean so far (see scanClean). */
let clean = true;

/** Validates a Label body; records its ranges at slot `i` when `record`. */
function scanLabel(src: Uint8Array, p: number, end: number, i: number, record: boolean): void {
  let ns = 0;
  let ne = 0;
  let vs = 0;
  let ve = 0;
  // Fast path for the canonical layout: 0x0a <1-byte len> name 0x12 <1-byte len> value.
  if (src[p] === 0x0a && src[p + 1]! < 0x80 && p + 2 + src[p + 1]! <= end) {
    ns = p + 2;
    ne = ns + src[p + 1]!;
    p = ne;
    if (src[p] === 0x12 && src[p + 1]! < 0x80 && p + 2 + src[p + 1]! <= end) {
      vs = p + 2;
      ve = vs + src[p + 1]!;
      p = ve;
    }
  }
  while (p < end) {
    const tp = p;
    p = tag(src, p, end);
    const t = val;
    const wt = t & 7;
    if (t >>> 3 === 1 || t >>> 3 === 2) {
      if (wt !== 2) throw wrongType(t >>> 3 === 1 ? "Label.name" : "Label.value", wt, tp);
      p = lengthPrefix(src, p, end, "label string");
      if (t >>> 3 === 1) {
        ns = p;
        ne = p + val;
      } else {
        vs = p;
        ve = p + val;
      }
      p += val;
    } else {
      p = skipField(src, p, end, wt);
      clean = false;
    }
  }
  if (record) {
    if (labelPos.length < 4 * (i + 1)) {
      const grown = new Int32Array(labelPos.length * 2);
      grown.set(labelPos);
      labelPos = grown;
    }
    labelPos[4 * i] = ns;
    labelPos[4 * i + 1] = ne;
    labelPos[4 * i + 2] = vs;
    labelPos[4 * i + 3] = ve;
  }
}

function scanSample(src: Uint8Array, p: number, end: number): void {
  while (p < end) {
    const tp = p;
    p = tag(src, p, end);
    const t = val;
    const wt = t & 7;
    if (t === 0x09) {
      if (end - p < 8) throw fail(`truncated Sample.value at offset ${p}`);
      p += 8;
    } else if (t === 0x10) {
      p = skipVarint(src, p, end);
    } else if (t >>> 3 === 1 || t >>> 3 === 2) {
      throw wrongType(t >>> 3 === 1 ? "Sample.value" : "Sample.timestamp", wt, tp);
    } else {
      p = skipField(src, p, end, wt);
      clean = false;
    }
  }
}

/** Validates a TimeSeries body, setting scanSamples/scanLabels/scanExtras (and labelPos when `record`). */
export function scanSeries(src: Uint8Array, p: number, end: number, record: boolean): void {
  clean = true;
  let samples = 0;
  let labels = 0;
  let extras = false;
  while (p < end) {
    const tp = p;
    let t = src[p]!;
    if (t < 0x80 && t >= 8) p++;
    else {
      p = tag(src, p, end);
      t = val;
    }
    const wt = t & 7;
    const field = t >>> 3;
    if (field >= 1 && field <= 4) {
      if (wt !== 2) throw wrongType(SERIES_FIELDS[field]!, wt, tp);
      let len = p < end ? src[p]! : 0x80;
      if (len < 0x80 && len < end - p) p++;
      else {
        p = lengthPrefix(src, p, end, SERIES_FIELDS[field]!);
        len = val;
      }
      const e = p + len;
      if (field === 1) scanLabel(src, p, e, labels++, record);
      else if (field === 2) {
        scanSample(src, p, e);
        samples++;
      } else extras = true; // exemplars/histograms: dropped, not validated
      p = e;
    } else {
      p = skipField(src, p, end, wt);
      clean = false;
    }
  }
  scanSamples = samples;
  scanLabels = labels;
  scanExtras = extras;
  scanClean = clean && !extras;
}
const SERIES_FIELDS = ["", "TimeSeries.labels", "TimeSeries.samples", "TimeSeries.exemplars", "TimeSeries.histograms"];
