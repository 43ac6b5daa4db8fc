/**
 * Typed, path-aware readers over a parsed YAML document, with the decoding rules of Go's
 * gopkg.in/yaml.v2 that vmagent uses: YAML 1.1 scalars (`yes`/`on` are booleans, `010` is
 * octal), any scalar fits a string field as written (`1.10` stays "1.10"), quoted scalars never
 * fit bool/int fields, `null` means "not set", unknown fields are errors in strict mode.
 *
 * Every error names the YAML path of the offending value (`scrape_configs[0].scheme`) and its
 * line. Readers work on the document AST rather than on `toJS()` output so that scalar source
 * text survives.
 */

import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node, parseDocument } from "yaml";
import { parseDuration, parseSize, ValueSyntaxError } from "./_units.ts";

/** A YAML value node, or null when the field is absent or `null`. */
export type YNode = Node | null;

/** Per-document state of the readers. Lives for one load. */
export interface YamlCtx {
  readonly doc: Document.Parsed;
  /** Null for documents built from plain data ({@linkcode yamlValueOf}): messages then carry no line. */
  readonly lines: LineCounter | null;
  /** Unknown fields are errors when true; otherwise they are reported via `warn` and skipped. */
  readonly strict: boolean;
  readonly warn: (message: string) => void;
}

/** `a` + `b` → `a.b`; the root path is "". */
export function joinPath(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

/** A value inside a document: what a section parser below the config loader reads. */
export interface YamlValue {
  readonly ctx: YamlCtx;
  readonly node: YNode;
}

/**
 * Plain data (as JSON would hold it) as a YAML value without positions, for callers that have
 * no document: tests, and settings built from command-line flags. Strings stay strings, so
 * `str()` returns them as given.
 */
export function yamlValueOf(
  value: unknown,
  opts: { strict?: boolean; warn?: (message: string) => void } = {},
): YamlValue {
  const doc = parseDocument(JSON.stringify(value ?? null), { schema: "yaml-1.1" });
  const ctx: YamlCtx = { doc, lines: null, strict: opts.strict ?? true, warn: opts.warn ?? (() => {}) };
  return { ctx, node: deref(ctx, doc.contents) };
}

/** ` at line N` for messages, or "" when the node has no position. */
export function lineOf(ctx: YamlCtx, node: YNode): string {
  const start = node?.range?.[0];
  return start === undefined || ctx.lines === null ? "" : ` at line ${ctx.lines.linePos(start).line}`;
}

/** Errors thrown by {@linkcode fail}: their message already ends with the line, when known. */
const LOCATED = new WeakSet<Error>();

/** Whether `e` came from {@linkcode fail}, so a caller must not append another line. */
export function isLocated(e: unknown): boolean {
  return e instanceof Error && LOCATED.has(e);
}

export function fail(
  ctx: YamlCtx,
  node: YNode,
  path: string,
  message: string,
  Ctor: typeof TypeError | typeof SyntaxError | typeof RangeError = TypeError,
): never {
  const e = new Ctor(`${path === "" ? "" : `${path}: `}${message}${lineOf(ctx, node)}`);
  LOCATED.add(e);
  throw e;
}

/** Follows aliases; turns a YAML null scalar into null. */
export function deref(ctx: YamlCtx, node: unknown): YNode {
  let n = node as YNode | undefined;
  for (let i = 0; i < 100 && n !== null && n !== undefined && isAlias(n); i++) n = n.resolve(ctx.doc) ?? null;
  if (n === undefined || n === null) return null;
  if (isScalar(n) && n.value === null) return null;
  return n;
}

/** How a value looks, for "got X; want Y" messages. */
export function describe(node: YNode): string {
  if (node === null) return "null";
  if (isMap(node)) return "a map";
  if (isSeq(node)) return "a list";
  if (isScalar(node)) {
    const quoted = node.type !== "PLAIN";
    const kind = quoted || typeof node.value === "string" ? "string" : typeof node.value;
    return `${kind} ${JSON.stringify(scalarText(node))}`;
  }
  return "an unsupported value";
}

function scalarText(node: Node): string {
  if (!isScalar(node)) return "";
  const v = node.value;
  if (typeof v === "string") return v;
  // yaml.v2 hands a string field the scalar as written: `1.10` stays "1.10", `0x10` stays "0x10".
  return node.source ?? String(v);
}

/** Keys are matched as written (yaml.v2 does not resolve `y`/`on` keys of struct fields). */
function keyText(ctx: YamlCtx, key: unknown): string | symbol {
  const k = deref(ctx, key);
  if (k === null) return "";
  if (isScalar(k)) return typeof k.value === "symbol" ? k.value : scalarText(k);
  return describe(k);
}

/**
 * Validates a map and returns its fields by name, merge keys (`<<: *base`) expanded with
 * explicit keys winning. A field not in `known` and not accepted by `accept` is an error naming
 * its path in strict mode and is skipped with a warning otherwise.
 */
export function fields(
  ctx: YamlCtx,
  node: YNode,
  path: string,
  known: ReadonlySet<string>,
  accept?: (key: string) => boolean,
): Map<string, YNode> {
  const out = new Map<string, YNode>();
  if (node === null) return out;
  if (!isMap(node)) fail(ctx, node, path, `got ${describe(node)}; want a map`);
  const merged: Map<string, YNode>[] = [];
  for (const pair of node.items) {
    const key = keyText(ctx, pair.key);
    if (typeof key === "symbol") {
      const src = deref(ctx, pair.value);
      const sources = src !== null && isSeq(src) ? src.items.map((n) => deref(ctx, n)) : [src];
      for (const s of sources) merged.push(fields(ctx, s, path, known, accept));
      continue;
    }
    if (!known.has(key) && accept?.(key) !== true) {
      const where = joinPath(path, key);
      if (ctx.strict) {
        fail(
          ctx,
          pair.key as Node,
          where,
          "unknown field; pass -promscrape.config.strictParse=false to ignore unknown fields",
        );
      }
      ctx.warn(`Ignoring unknown field ${where}${lineOf(ctx, pair.key as Node)}`);
      continue;
    }
    out.set(key, deref(ctx, pair.value));
  }
  for (const m of merged) for (const [k, v] of m) if (!out.has(k)) out.set(k, v);
  return out;
}

export function str(ctx: YamlCtx, node: YNode, path: string): string | null {
  if (node === null) return null;
  if (!isScalar(node)) fail(ctx, node, path, `got ${describe(node)}; want a string`);
  return scalarText(node);
}

export function bool(ctx: YamlCtx, node: YNode, path: string): boolean | null {
  if (node === null) return null;
  if (!isScalar(node) || node.type !== "PLAIN" || typeof node.value !== "boolean") {
    fail(ctx, node, path, `got ${describe(node)}; want a boolean`);
  }
  return node.value;
}

export function int(ctx: YamlCtx, node: YNode, path: string): number | null {
  if (node === null) return null;
  const v = isScalar(node) && node.type === "PLAIN" ? node.value : undefined;
  if (typeof v === "bigint" && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) {
    return Number(v);
  }
  if (typeof v !== "number" || !Number.isSafeInteger(v)) {
    fail(ctx, node, path, `got ${describe(node)}; want an integer`);
  }
  return v;
}

/** Duration in ms (Go/Prometheus syntax plus d/w/y and plain seconds), null when unset. */
export function duration(ctx: YamlCtx, node: YNode, path: string): number | null {
  return parsedStr(ctx, node, path, "duration", parseDuration);
}

/** Size in bytes (`16MiB`, `100MB`, `1024`), null when unset. */
export function size(ctx: YamlCtx, node: YNode, path: string): number | null {
  return parsedStr(ctx, node, path, "size", parseSize);
}

/** A string parsed by `parse`, null when unset; a ValueSyntaxError becomes a located "cannot parse `what`" error. */
function parsedStr(ctx: YamlCtx, node: YNode, path: string, what: string, parse: (s: string) => number): number | null {
  const s = str(ctx, node, path);
  if (s === null) return null;
  try {
    return parse(s);
  } catch (e) {
    if (e instanceof ValueSyntaxError) {
      fail(ctx, node, path, `cannot parse ${what} ${JSON.stringify(s)}: ${e.reason}`, SyntaxError);
    }
    throw e;
  }
}

export function list(ctx: YamlCtx, node: YNode, path: string): YNode[] {
  if (node === null) return [];
  if (!isSeq(node)) fail(ctx, node, path, `got ${describe(node)}; want a list`);
  return node.items.map((n) => deref(ctx, n));
}

export function strList(ctx: YamlCtx, node: YNode, path: string): string[] {
  return list(ctx, node, path).map((n, i) => str(ctx, n, `${path}[${i}]`) ?? "");
}

/** A `name: value` map of strings in document order; an unset map is empty. */
export function strMap(ctx: YamlCtx, node: YNode, path: string): [string, string][] {
  if (node === null) return [];
  if (!isMap(node)) fail(ctx, node, path, `got ${describe(node)}; want a map of strings`);
  const out: [string, string][] = [];
  for (const pair of node.items) {
    const key = keyText(ctx, pair.key);
    if (typeof key === "symbol") {
      for (const kv of strMap(ctx, deref(ctx, pair.value), path)) if (!out.some((o) => o[0] === kv[0])) out.push(kv);
      continue;
    }
    const where = joinPath(path, key);
    const value = str(ctx, deref(ctx, pair.value), where) ?? "";
    const at = out.findIndex((o) => o[0] === key);
    if (at >= 0) out[at] = [key, value];
    else out.push([key, value]);
  }
  return out;
}

/**
 * The plain JS value of a subtree, for parsers that take parsed YAML (relabeling, SD kinds).
 * Numbers resolve as YAML 1.1 does, but only `true`/`false` become booleans: the other YAML 1.1
 * booleans (`y`, `yes`, `on`, …) stay strings, since a target name or tag `y` is far more likely
 * than a boolean written that way, and the receiving parser cannot tell them apart afterwards.
 */
export function toJS(ctx: YamlCtx, node: YNode, depth = 0): unknown {
  if (depth > 100) fail(ctx, node, "", "YAML nesting is too deep");
  const n = deref(ctx, node);
  if (n === null) return null;
  if (isScalar(n)) {
    const v = n.value;
    if (typeof v === "boolean" && n.type === "PLAIN" && !/^(?:true|false)$/i.test(n.source ?? "")) return n.source;
    return typeof v === "bigint" ? Number(v) : v;
  }
  if (isSeq(n)) return n.items.map((x) => toJS(ctx, x as YNode, depth + 1));
  if (isMap(n)) {
    const out: Record<string, unknown> = {};
    const merged: unknown[] = [];
    for (const pair of n.items) {
      const key = keyText(ctx, pair.key);
      if (typeof key === "symbol") {
        const src = deref(ctx, pair.value);
        for (const m of src !== null && isSeq(src) ? src.items : [src]) merged.push(toJS(ctx, m as YNode, depth + 1));
        continue;
      }
      out[key] = toJS(ctx, pair.value as YNode, depth + 1);
    }
    for (const m of merged) {
      if (typeof m !== "object" || m === null) continue;
      for (const [k, v] of Object.entries(m)) if (!(k in out)) out[k] = v;
    }
    return out;
  }
  return null;
}
