/**
 * Converts Prometheus remote-write requests to VictoriaMetrics `/api/v1/import` JSON lines (used by the quick-start
 * sink and tests; allocates freely).
 */
import { decodeWriteRequest } from "../promremotewrite/decode.ts";

/**
 * Formats a sample value. Non-finite values use bare `NaN`, `Inf`, `-Inf` tokens: not JSON, but VictoriaMetrics parses
 * values with valyala/fastjson, whose number scanner accepts case-insensitive `nan`/`inf` with an optional sign
 * (every version; newer ones additionally accept `null` and quoted strings). Stale markers become plain `NaN`: the
 * import format has no way to express them.
 */
function formatValue(v: number): string {
  if (Number.isFinite(v)) return String(v);
  if (Number.isNaN(v)) return "NaN";
  return v > 0 ? "Inf" : "-Inf";
}

/**
 * Returns one JSON line per series, `{"metric":{…},"values":[…],"timestamps":[…]}\n`, preserving label order.
 * Throws SyntaxError like decodeWriteRequest on malformed input.
 */
export function writeRequestToJsonLines(src: Uint8Array): string {
  let out = "";
  for (const ts of decodeWriteRequest(src)) {
    let line = '{"metric":{';
    for (let i = 0; i < ts.labels.length; i++) {
      const [name, value] = ts.labels[i]!;
      line += (i > 0 ? "," : "") + JSON.stringify(name) + ":" + JSON.stringify(value);
    }
    line += '},"values":[';
    for (let i = 0; i < ts.samples.length; i++) line += (i > 0 ? "," : "") + formatValue(ts.samples[i]!.value);
    line += '],"timestamps":[';
    for (let i = 0; i < ts.samples.length; i++) line += (i > 0 ? "," : "") + String(ts.samples[i]!.timestamp);
    out += line + "]}\n";
  }
  return out;
}
