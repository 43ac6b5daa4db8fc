/**
 * `-opentelemetry.usePrometheusNaming`: OTLP → Prometheus metric and label
 * names as current vmagent converts them (`stream/sanitize.go`, following the
 * collector's `pkg/translator/prometheus`).
 *
 * @module
 */

/** Prometheus metric type of an OTLP metric, as far as naming needs it. */
export const enum MetricType {
  Unknown = 0,
  Counter = 1,
  Gauge = 2,
  Histogram = 3,
  Summary = 4,
}

const UNITS: Readonly<Record<string, string>> = {
  d: "days",
  h: "hours",
  min: "minutes",
  s: "seconds",
  ms: "milliseconds",
  us: "microseconds",
  ns: "nanoseconds",
  By: "bytes",
  KiBy: "kibibytes",
  MiBy: "mebibytes",
  GiBy: "gibibytes",
  TiBy: "tibibytes",
  KBy: "kilobytes",
  MBy: "megabytes",
  GBy: "gigabytes",
  TBy: "terabytes",
  m: "meters",
  V: "volts",
  A: "amperes",
  J: "joules",
  W: "watts",
  g: "grams",
  Cel: "celsius",
  Hz: "hertz",
  "1": "",
  "%": "percent",
};

const PER_UNITS: Readonly<Record<string, string>> = {
  s: "second",
  m: "minute",
  h: "hour",
  d: "day",
  w: "week",
  mo: "month",
  y: "year",
};

const own = (o: Readonly<Record<string, string>>, k: string): string | undefined =>
  Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined;

/** Go's strings.TrimSpace (ASCII and Unicode White_Space). */
function trimSpace(s: string): string {
  return s.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, "");
}

function moveOrAppend(tokens: string[], value: string): void {
  const i = tokens.indexOf(value);
  if (i >= 0) tokens.splice(i, 1);
  tokens.push(value);
}

/** The Prometheus name of an OTLP metric with `unit` and `type`. */
export function prometheusMetricName(name: string, unit: string, type: MetricType): string {
  const tokens: string[] = [];
  for (const t of name.split(/[/_.\-: ]/)) if (t !== "") tokens.push(t);
  const n = unit.indexOf("/");
  let main = n >= 0 ? unit.slice(0, n) : unit;
  let per = n >= 0 ? unit.slice(n + 1) : "";
  main = trimSpace(main);
  per = trimSpace(per);
  if (main !== "" && !main.includes("{")) {
    main = own(UNITS, main) ?? main;
    if (main !== "" && !tokens.includes(main)) tokens.push(main);
  }
  if (per !== "" && !per.includes("{")) {
    per = own(PER_UNITS, per) ?? per;
    if (per !== "" && !tokens.includes(per)) tokens.push("per", per);
  }
  if (type === MetricType.Counter) moveOrAppend(tokens, "total");
  else if (unit === "1" && type === MetricType.Gauge) moveOrAppend(tokens, "ratio");
  return tokens.join("_");
}

const INVALID_LABEL_CHAR = /[^a-zA-Z0-9_]/gu;
const labelCache = new Map<string, string>();

/**
 * The Prometheus name of an attribute: unsupported characters → `_`; a
 * leading digit gets `key_`, a single leading `_` gets `key` (the default
 * `-opentelemetry.labelNameUnderscoreSanitization=true`).
 */
export function prometheusLabelName(name: string): string {
  if (name === "") return "";
  let s = labelCache.get(name);
  if (s !== undefined) return s;
  s = name.replace(INVALID_LABEL_CHAR, "_");
  const c = s.charCodeAt(0);
  if (c >= 0x30 && c <= 0x39) s = "key_" + s;
  else if (c === 0x5f && s.charCodeAt(1) !== 0x5f) s = "key" + s;
  if (labelCache.size >= 10_000) labelCache.clear();
  labelCache.set(name, s);
  return s;
}
