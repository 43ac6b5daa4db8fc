/**
 * Shape checks for `*_sd_configs` entries with the semantics of Go's yaml.v2
 * as vmagent uses it: scalars decode into string fields, explicit null means
 * "not set", unknown fields fail only under `-promscrape.config.strictParse`.
 * Every thrown message starts with the path of the offending value.
 *
 * @module
 */

/** A short description of a YAML value for messages. */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a map";
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Checks that `raw` is a map and, when `strict`, that it has only `known` keys. */
export function asMap(
  raw: unknown,
  path: string,
  known: ReadonlySet<string>,
  strict: boolean,
): Record<string, unknown> {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw new TypeError(`${path}: got ${describe(raw)}; want a map`);
  const m = raw as Record<string, unknown>;
  if (strict) {
    for (const k of Object.keys(m)) {
      if (!known.has(k)) {
        throw new TypeError(
          `${path}: unknown field ${
            JSON.stringify(k)
          }; pass -promscrape.config.strictParse=false for ignoring unknown fields`,
        );
      }
    }
  }
  return m;
}

/** A scalar decoded into a Go string field; null/absent → undefined. */
export function optString(v: unknown, path: string): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  throw new TypeError(`${path}: got ${describe(v)}; want a string`);
}

/** A list of scalars decoded into a Go `[]string`; null/absent → []. */
export function stringList(v: unknown, path: string): string[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw new TypeError(`${path}: got ${describe(v)}; want a list of strings`);
  return v.map((x, i) => optString(x, `${path}[${i}]`) ?? "");
}

/** A Go `int` field; null/absent → undefined. */
export function optInt(v: unknown, path: string): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  if (typeof v === "string" && /^[-+]?\d+$/.test(v.trim())) return Number(v.trim());
  throw new TypeError(`${path}: got ${describe(v)}; want an integer`);
}
