/**
 * Label rewriting for relayWriteRequest() (decode.ts): `setLabels`,
 * `appendLabels` and `dropEmptyAndInternal` applied to a series scanned by
 * _series_scan.ts, re-encoded into a BlockBuilder with its samples copied
 * verbatim.
 *
 * @module
 */
import { NAME_LABEL } from "../_shared/bytes.ts";
import type { RelayOptions } from "./decode.ts";
import type { BlockBuilder } from "./encode.ts";
import { labelPos, scanClean, scanLabels } from "./_series_scan.ts";
import { skipField, val, varint } from "./_wire.ts";

/** setLabels prepared once per call: UTF-8 bytes, duplicates collapsed (the last value wins, at the first position). */
export interface Prepared {
  names: Uint8Array[];
  values: Uint8Array[];
  matched: Uint8Array;
  /** appendLabels as UTF-8, in order (duplicates kept). */
  appendNames: Uint8Array[];
  appendValues: Uint8Array[];
}
const utf8 = new TextEncoder();
export function prepare(setLabels: RelayOptions["setLabels"], appendLabels: RelayOptions["appendLabels"]): Prepared {
  const index = new Map<string, number>();
  const names: Uint8Array[] = [];
  const values: Uint8Array[] = [];
  for (const [n, v] of setLabels) {
    const j = index.get(n);
    if (j !== undefined) {
      values[j] = utf8.encode(v);
      continue;
    }
    index.set(n, names.length);
    names.push(utf8.encode(n));
    values.push(utf8.encode(v));
  }
  const appendNames: Uint8Array[] = [];
  const appendValues: Uint8Array[] = [];
  for (const [n, v] of appendLabels ?? []) {
    appendNames.push(utf8.encode(n));
    appendValues.push(utf8.encode(v));
  }
  return { names, values, matched: new Uint8Array(names.length), appendNames, appendValues };
}

function bytesEqual(src: Uint8Array, s: number, e: number, b: Uint8Array): boolean {
  if (e - s !== b.length) return false;
  for (let i = 0; i < b.length; i++) if (src[s + i] !== b[i]) return false;
  return true;
}

// "__name__" is the only "__"-prefixed label kept by dropEmptyAndInternal.
function keepLabel(ns: Uint8Array, s: number, e: number, valueLen: number): boolean {
  if (valueLen === 0) return false;
  if (e - s >= 2 && ns[s] === 0x5f && ns[s + 1] === 0x5f) return bytesEqual(ns, s, e, NAME_LABEL);
  return true;
}

/** Re-encodes the series just scanned (labels in labelPos) with label rewriting; returns false if it was dropped. */
export function rewriteSeries(
  src: Uint8Array,
  p: number,
  end: number,
  out: BlockBuilder,
  opts: RelayOptions,
  prep: Prepared,
): boolean {
  const { names, values, matched } = prep;
  const drop = opts.dropEmptyAndInternal;
  matched.fill(0);
  out.beginSeries();
  let kept = 0;
  const own = scanLabels;
  const pos = labelPos;
  const total = own + prep.appendNames.length;
  for (let i = 0; i < total; i++) {
    // The series' own labels, then appendLabels, as one list.
    let nsrc = src;
    let ns: number;
    let ne: number;
    let vsrc = src;
    let vs: number;
    let ve: number;
    if (i < own) {
      ns = pos[4 * i]!;
      ne = pos[4 * i + 1]!;
      vs = pos[4 * i + 2]!;
      ve = pos[4 * i + 3]!;
    } else {
      nsrc = prep.appendNames[i - own]!;
      vsrc = prep.appendValues[i - own]!;
      ns = 0;
      ne = nsrc.length;
      vs = 0;
      ve = vsrc.length;
    }
    for (let j = 0; j < names.length; j++) {
      // Like vmagent, only the first same-name label of the series is overwritten.
      if (matched[j] === 0 && bytesEqual(nsrc, ns, ne, names[j]!)) {
        matched[j] = 1;
        vsrc = values[j]!;
        vs = 0;
        ve = vsrc.length;
        break;
      }
    }
    if (drop && !keepLabel(nsrc, ns, ne, ve - vs)) continue;
    out.addLabelBytes(nsrc, ns, ne, vsrc, vs, ve);
    kept++;
  }
  for (let j = 0; j < names.length; j++) {
    if (matched[j] !== 0) continue;
    const n = names[j]!;
    const v = values[j]!;
    if (drop && !keepLabel(n, 0, n.length, v.length)) continue;
    out.addLabelBytes(n, 0, n.length, v, 0, v.length);
    kept++;
  }
  if (drop && kept === 0) {
    out.abortSeries(); // vmagent drops series whose labels were all removed
    return false;
  }
  if (!scanClean) {
    copyCanonicalSamples(src, p, end, out);
    out.endSeries();
    return true;
  }
  // Copy samples verbatim, coalescing adjacent Sample fields into one copy.
  let runStart = -1;
  let runSamples = 0;
  while (p < end) {
    const fp = p;
    p = varint(src, p, end);
    const t = val;
    p = skipField(src, p, end, t & 7);
    if (t === 0x12) {
      if (runStart < 0) runStart = fp;
      runSamples++;
    } else if (runStart >= 0) {
      out.addRawFields(src, runStart, fp, runSamples);
      runStart = -1;
      runSamples = 0;
    }
  }
  if (runStart >= 0) out.addRawFields(src, runStart, end, runSamples);
  out.endSeries();
  return true;
}

/** One canonical Sample field: tag, length, value (tag + 8 bytes), timestamp (tag + up to 10 bytes). */
const sampleScratch = new Uint8Array(2 + 9 + 11);

/**
 * Re-encodes the samples of a series that is not clean: each Sample keeps
 * only its value and timestamp (the last of each, as protobuf decoders read
 * them), with their original bytes. Exemplars, histograms and unknown fields
 * are left out. The series was validated by scanSeries().
 */
function copyCanonicalSamples(src: Uint8Array, p: number, end: number, out: BlockBuilder): void {
  while (p < end) {
    p = varint(src, p, end);
    const t = val;
    if (t !== 0x12) {
      p = skipField(src, p, end, t & 7);
      continue;
    }
    p = varint(src, p, end);
    const se = p + val;
    let vs = -1;
    let ts = -1;
    let te = -1;
    while (p < se) {
      p = varint(src, p, se);
      const st = val;
      const fs = p;
      p = skipField(src, p, se, st & 7);
      if (st === 0x09) vs = fs;
      else if (st === 0x10) {
        ts = fs;
        te = p;
      }
    }
    const b = sampleScratch;
    let n = 2;
    if (vs >= 0) {
      b[n++] = 0x09;
      b.set(src.subarray(vs, vs + 8), n);
      n += 8;
    }
    if (ts >= 0) {
      b[n++] = 0x10;
      b.set(src.subarray(ts, te), n);
      n += te - ts;
    }
    b[0] = 0x12;
    b[1] = n - 2;
    out.addRawFields(b, 0, n, 1);
  }
}
