/**
 * Small validators for already-parsed YAML sections of `*_sd_configs`. Every
 * error message starts with the full path of the offending field so the
 * config loader can show it as is. Shared by the kubernetes and consul kinds.
 *
 * @module
 */

/** A YAML mapping as `yaml` parses it. */
export type YamlMap = Readonly<Record<string, unknown>>;

/** Returns `raw` as a mapping; `null`/`undefined` become an empty one. */
export function expectMap(raw: unknown, path: string): YamlMap {
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new TypeError(`${path}: expected a mapping, got ${describe(raw)}`);
  }
  return raw as YamlMap;
}

/** In strict mode, rejects keys of `m` that are not in `allowed`. */
export function checkFields(m: YamlMap, allowed: ReadonlySet<string>, path: string, strict: boolean): void {
  if (!strict) return;
  for (const k of Object.keys(m)) {
    if (!allowed.has(k)) throw new TypeError(`${path}: unknown field ${JSON.stringify(k)}`);
  }
}

/** A string field; numbers and booleans are accepted as their YAML text, absent gives `def`. */
export function getString(m: YamlMap, key: string, path: string, def = ""): string {
  const v = m[key];
  if (v === undefined || v === null) return def;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  throw new TypeError(`${path}.${key}: expected a string, got ${describe(v)}`);
}

/** A boolean field; absent gives `def`. */
export function getBool(m: YamlMap, key: string, path: string, def: boolean): boolean {
  const v = m[key];
  if (v === undefined || v === null) return def;
  if (typeof v === "boolean") return v;
  throw new TypeError(`${path}.${key}: expected a boolean, got ${describe(v)}`);
}

/** An optional boolean field: `null` when absent. */
export function getOptionalBool(m: YamlMap, key: string, path: string): boolean | null {
  const v = m[key];
  if (v === undefined || v === null) return null;
  return getBool(m, key, path, false);
}

/** A list of strings; absent gives `[]`. */
export function getStringList(m: YamlMap, key: string, path: string): readonly string[] {
  const v = m[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new TypeError(`${path}.${key}: expected a list of strings, got ${describe(v)}`);
  return Object.freeze(
    v.map((x, i) => {
      if (typeof x === "string") return x;
      if (typeof x === "number" || typeof x === "boolean") return String(x);
      throw new TypeError(`${path}.${key}[${i}]: expected a string, got ${describe(x)}`);
    }),
  );
}

/** A string-to-string mapping; absent gives `[]`. Returned as sorted pairs for stable output. */
export function getStringMap(m: YamlMap, key: string, path: string): readonly (readonly [string, string])[] {
  const v = m[key];
  if (v === undefined || v === null) return [];
  const mm = expectMap(v, `${path}.${key}`);
  const out: [string, string][] = [];
  for (const k of Object.keys(mm).sort()) {
    out.push([k, getString(mm, k, `${path}.${key}`)]);
  }
  return Object.freeze(out.map((p) => Object.freeze(p)));
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  return typeof v === "object" ? "a mapping" : `${typeof v} ${JSON.stringify(v)}`;
}
