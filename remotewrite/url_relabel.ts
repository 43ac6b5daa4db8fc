/**
 * `-remoteWrite.urlRelabelConfig`: the per-URL relabeling step, applied on
 * the sender thread to a copy of each block before it is queued for that URL
 * (vmagent applies it to a per-URL copy too). Series left without labels or
 * dropped by the rules are removed; `__*` labels other than `__name__` and
 * empty labels are removed afterwards, as vmagent does after any relabeling.
 *
 * @module
 */

import { applyRelabeling, type CompiledRelabelRules, finalizeLabels, Labels } from "../relabel/apply.ts";
import { decodeWriteRequest } from "../protocols/promremotewrite/decode.ts";
import { BlockBuilder } from "../protocols/promremotewrite/encode.ts";

const builder = new BlockBuilder();
const labels = new Labels();

/** Relabels an uncompressed WriteRequest; returns the new one and its sample count. */
export function relabelBlock(raw: Uint8Array, rules: CompiledRelabelRules): { block: Uint8Array; rows: number } {
  builder.reset();
  for (const ts of decodeWriteRequest(raw)) {
    labels.reset();
    for (const [n, v] of ts.labels) labels.push(n, v);
    if (!applyRelabeling(rules, labels)) continue;
    finalizeLabels(labels);
    if (labels.length === 0) continue;
    builder.beginSeries();
    for (let i = 0; i < labels.length; i++) builder.addLabel(labels.names[i]!, labels.values[i]!);
    for (const s of ts.samples) {
      if (s.stale) builder.addStaleMarker(s.timestamp);
      else builder.addSample(s.value, s.timestamp);
    }
    builder.endSeries();
  }
  return { block: builder.finish(), rows: builder.rows };
}
