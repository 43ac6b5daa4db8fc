/**
 * YAML → plain JS where every non-string scalar keeps its source text, the way
 * Go's yaml.v2 fills a `string` field (`0x10` stays "0x10", `1.50` stays "1.50",
 * `yes` stays "yes"). Nulls stay null. Aliases and `<<` merge keys are resolved.
 *
 * @module
 */

import { type Document, isAlias, isMap, isScalar, isSeq, type Node, parseDocument } from "yaml";

/** Plain data decoded from YAML: strings, null, lists and maps. */
export type RawYaml = string | null | RawYaml[] | { [k: string]: RawYaml };

/**
 * Parses one YAML (or JSON) document. Throws SyntaxError with the parser's
 * first message on malformed input or duplicate keys.
 */
export function parseRawYaml(text: string): RawYaml {
  const doc = parseDocument(text, { uniqueKeys: true });
  const err = doc.errors[0];
  if (err !== undefined) throw new SyntaxError(err.message.split("\n")[0] ?? err.message);
  return toRaw(doc.contents, doc, 0);
}

function toRaw(node: unknown, doc: Document, depth: number): RawYaml {
  if (depth > 100) throw new SyntaxError("YAML nesting is too deep");
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return toRaw(node.resolve(doc), doc, depth + 1);
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || v === undefined) return null;
    if (typeof v === "string") return v;
    return node.source ?? String(v);
  }
  if (isSeq(node)) return node.items.map((x) => toRaw(x, doc, depth + 1));
  if (isMap(node)) {
    const out: { [k: string]: RawYaml } = {};
    const merged: { [k: string]: RawYaml }[] = [];
    for (const pair of node.items) {
      const key = toRaw(pair.key as Node | null, doc, depth + 1);
      if (isScalar(pair.key) && pair.key.value === "<<" && pair.key.type === "PLAIN") {
        const src = toRaw(pair.value as Node | null, doc, depth + 1);
        for (const m of Array.isArray(src) ? src : [src]) {
          if (m !== null && typeof m === "object" && !Array.isArray(m)) merged.push(m);
        }
        continue;
      }
      if (key !== null && typeof key === "object") throw new SyntaxError("Map keys must be scalars");
      out[key ?? ""] = toRaw(pair.value as Node | null, doc, depth + 1);
    }
    for (const m of merged) {
      for (const [k, v] of Object.entries(m)) if (!(k in out)) out[k] = v;
    }
    return out;
  }
  // Pairs outside maps do not occur in parsed documents.
  return null;
}
