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
import { labelPos, scanLabels } from "./_series_scan.ts";
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
