/**
 * DataDog tag and metric-name rules shared by the v1 and v2 series parsers
 * (vmagent `lib/protoparser/datadogutils`).
 *
 * @module
 */

import type { SeriesWriter } from "../_shared/series_writer.ts";

/**
 * Adds a `name:value` tag as a label: split at the first `:`; a tag without
 * `:` gets the value `no_label_value`; a tag named `host` becomes
 * `exported_host` so it cannot clash with the series' own `host`.
 */
export function writeTag(w: SeriesWriter, tag: string): void {
  const n = tag.indexOf(":");
  let name: string;
  let value: string;
  if (n < 0) {
    name = tag;
    value = "no_label_value";
  } else {
    name = tag.slice(0, n);
    value = tag.slice(n + 1);
  }
  w.label(name === "host" ? "exported_host" : name, value);
}

const UNSUPPORTED = /[^0-9a-zA-Z_.]+/g;
const MULTI_UNDERSCORES = /_+/g;
const UNDERSCORES_WITH_DOTS = /_?\._?/g;
const VALID = /^[0-9a-zA-Z.]*(?:_[0-9a-zA-Z][0-9a-zA-Z.]*)*_?$/;

const cache = new Map<string, string>();

/**
 * DataDog's metric-name sanitizing (`-datadog.sanitizeMetricName`, vmagent ≥
 * v1.82.0): runs of unsupported characters become `_`, runs of `_` collapse,
 * and `_` next to a `.` is removed. Results are cached (names repeat).
 */
export function sanitizeMetricName(name: string): string {
  if (VALID.test(name) && !name.includes("_.") && !name.includes("._")) return name;
  let s = cache.get(name);
  if (s === undefined) {
    s = name.replace(UNSUPPORTED, "_").replace(MULTI_UNDERSCORES, "_").replace(UNDERSCORES_WITH_DOTS, ".");
    if (cache.size >= 100_000) cache.clear();
    cache.set(name, s);
  }
  return s;
}
