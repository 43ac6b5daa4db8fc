/**
 * Applying compiled relabeling rules to a {@linkcode Labels} set in place, with the semantics of
 * VictoriaMetrics' `lib/promrelabel/relabel.go` (`ParsedConfigs.Apply`).
 *
 * Hot path: no allocation per label or per series beyond strings the rules create (joined source
 * values, replacements, hashmod results). Single-threaded: compiled rules carry regex caches, so a
 * rule list must not be shared between workers (compile one per worker).
 */

import { ACTION, type CompiledRelabelRules, type RelabelRule } from "./config.ts";
import type { Labels } from "./labels.ts";

export { Labels } from "./labels.ts";
export { type CompiledRelabelRules, parseRelabelConfigs, type RelabelRule } from "./config.ts";

const U63 = 1n << 63n;
/** Scratch for graphite captures; safe because application is synchronous and single-threaded. */
const graphiteScratch: string[] = [];

/**
 * Applies `rules` to `labels` in order, then removes labels with an empty name or value.
 * Labels keep their order; new labels are appended (not sorted).
 * With an empty rule list only the empty-label removal happens; callers that have no relabeling
 * configured should not call this at all, so pushed labels pass through untouched.
 * @returns false when the series is dropped (a keep/drop rule fired or no labels remain); the
 *   contents of `labels` are then unspecified.
 */
export function applyRelabeling(rules: CompiledRelabelRules, labels: Labels): boolean {
  const rs = rules.rules;
  for (let i = 0; i < rs.length; i++) {
    if (!applyRule(rs[i]!, labels)) return false;
    if (labels.length === 0) return false;
  }
  removeEmptyLabels(labels);
  return labels.length > 0;
}

/**
 * Removes labels whose name starts with `__` (except `__name__`) and labels with an empty name or
 * value, as vmagent does after a relabeling step (`FinalizeLabels` plus empty-label removal).
 */
export function finalizeLabels(labels: Labels): void {
  const names = labels.names;
  const values = labels.values;
  let j = 0;
  for (let i = 0, n = labels.length; i < n; i++) {
    const name = names[i]!;
    const value = values[i]!;
    if (
      name === "" || value === "" || (name.charCodeAt(0) === 95 && name.charCodeAt(1) === 95 && name !== "__name__")
    ) {
      continue;
    }
    names[j] = name;
    values[j++] = value;
  }
  labels.length = j;
}

/** Removes labels with an empty name or value. */
export function removeEmptyLabels(labels: Labels): void {
  const names = labels.names;
  const values = labels.values;
  const n = labels.length;
  let i = 0;
  while (i < n && names[i] !== "" && values[i] !== "") i++;
  if (i === n) return;
  let j = i;
  for (; i < n; i++) {
    if (names[i] === "" || values[i] === "") continue;
    names[j] = names[i]!;
    values[j++] = values[i]!;
  }
  labels.length = j;
}

/** `source_labels` values joined with `separator`; a missing label counts as "". */
function joinSources(rule: RelabelRule, labels: Labels): string {
  const src = rule.sourceLabels;
  const n = src.length;
  if (n === 0) return "";
  let s = labels.get(src[0]!);
  for (let i = 1; i < n; i++) s = s + rule.separator + labels.get(src[i]!);
  return s;
}

/** Returns false when the rule drops the series. */
function applyRule(rule: RelabelRule, labels: Labels): boolean {
  if (rule.if !== null && !rule.if.match(labels)) {
    // An `if` mismatch skips the rule, except that `keep` then drops.
    return rule.code !== ACTION.keep;
  }
  switch (rule.code) {
    case ACTION.replace:
      replace(rule, labels);
      return true;
    case ACTION.replace_all: {
      const source = joinSources(rule, labels);
      const value = replaceAll(rule, source);
      if (value !== source) labels.set(rule.targetLabel, value);
      return true;
    }
    case ACTION.keep:
      return rule.isDefaultRegex || rule.regex.matcher.test(joinSources(rule, labels));
    case ACTION.drop:
      return !rule.isDefaultRegex && !rule.regex.matcher.test(joinSources(rule, labels));
    case ACTION.keep_if_equal:
      return allEqual(rule, labels);
    case ACTION.drop_if_equal:
      return !allEqual(rule, labels);
    case ACTION.keepequal:
      return joinSources(rule, labels) === labels.get(rule.targetLabel);
    case ACTION.dropequal:
      return joinSources(rule, labels) !== labels.get(rule.targetLabel);
    case ACTION.keep_if_contains:
      return containsAll(rule, labels);
    case ACTION.drop_if_contains:
      return !containsAll(rule, labels);
    case ACTION.hashmod: {
      const r = Bun.hash.xxHash64(joinSources(rule, labels)) % rule.modulus;
      // Go formats int(h % modulus), which wraps negative above 2^63.
      labels.set(rule.targetLabel, r < U63 ? r.toString() : BigInt.asIntN(64, r).toString());
      return true;
    }
    case ACTION.labelmap: {
      const n = labels.length;
      for (let i = 0; i < n; i++) {
        const name = labels.names[i]!;
        const newName = replaceFullFast(rule, name);
        if (newName !== name) labels.set(newName, labels.values[i]!);
      }
      return true;
    }
    case ACTION.labelmap_all: {
      const names = labels.names;
      for (let i = 0, n = labels.length; i < n; i++) names[i] = replaceAll(rule, names[i]!);
      return true;
    }
    case ACTION.labeldrop:
    case ACTION.labelkeep: {
      const keepMatching = rule.code === ACTION.labelkeep;
      const m = rule.regex.matcher;
      const names = labels.names;
      const values = labels.values;
      let j = 0;
      for (let i = 0, n = labels.length; i < n; i++) {
        if (m.test(names[i]!) !== keepMatching) continue;
        names[j] = names[i]!;
        values[j++] = values[i]!;
      }
      labels.length = j;
      return true;
    }
    case ACTION.uppercase:
      labels.set(rule.targetLabel, joinSources(rule, labels).toUpperCase());
      return true;
    case ACTION.lowercase:
      labels.set(rule.targetLabel, joinSources(rule, labels).toLowerCase());
      return true;
    case ACTION.graphite: {
      const n = rule.graphiteMatch!.match(labels.get("__name__"), graphiteScratch);
      if (n < 0) return true;
      const gl = rule.graphiteLabels;
      for (let i = 0; i < gl.length; i++) labels.set(gl[i]![0], gl[i]![1].expand(graphiteScratch, n));
      return true;
    }
  }
  throw new TypeError(`Unknown relabeling action code ${rule.code}`);
}

function replace(rule: RelabelRule, labels: Labels): void {
  let replacement = rule.replacement;
  if (rule.replacementHasLabelRefs) replacement = fillLabelReferences(replacement, labels);
  const source = joinSources(rule, labels);
  if (rule.isDefaultRegex && rule.targetTemplate === null) {
    // Fast paths: copy the joined sources, or set a constant.
    if (replacement === "$1") {
      labels.set(rule.targetLabel, source);
      return;
    }
    if (!rule.replacementHasDollar) {
      labels.set(rule.targetLabel, replacement);
      return;
    }
  }
  const re = rule.regex;
  if (!re.matcher.test(source)) return;
  const value = replacement === rule.replacement
    ? re.replaceFull(source, rule.replacementTemplate, true)
    : re.replaceFull(source, re.template(replacement), false);
  const name = rule.targetTemplate === null ? rule.targetLabel : re.replaceFull(source, rule.targetTemplate, false);
  labels.set(name, value);
}

/** Replaces `s` when the whole of it matches (labelmap), with VictoriaMetrics' shortcuts. */
function replaceFullFast(rule: RelabelRule, s: string): string {
  const re = rule.regex;
  const m = re.matcher;
  if (m.isLiteral && !rule.replacementHasDollar) return s === m.prefix ? rule.replacement : s;
  if (!s.startsWith(m.prefix)) return s;
  if (rule.replacement === "$1" && re.suffixGroup !== 0) {
    // `prefix(.*)` / `prefix(.+)` with `$1`, e.g. labelmap of __meta_kubernetes_node_label_(.+)
    if (re.suffixGroup === 1 || s.length > m.prefix.length) return s.slice(m.prefix.length);
    return s;
  }
  if (!m.test(s)) return s;
  return re.replaceFull(s, rule.replacementTemplate, true);
}

/** Replaces all unanchored matches in `s` (replace_all, labelmap_all). */
function replaceAll(rule: RelabelRule, s: string): string {
  const m = rule.regex.matcher;
  if (m.isLiteral && !rule.replacementHasDollar && !s.includes(m.prefix)) return s;
  return rule.regex.replaceAll(s, rule.replacementTemplate);
}

function allEqual(rule: RelabelRule, labels: Labels): boolean {
  const src = rule.sourceLabels;
  const first = labels.get(src[0]!);
  for (let i = 1; i < src.length; i++) if (labels.get(src[i]!) !== first) return false;
  return true;
}

function containsAll(rule: RelabelRule, labels: Labels): boolean {
  const target = labels.get(rule.targetLabel);
  const src = rule.sourceLabels;
  for (let i = 0; i < src.length; i++) if (!target.includes(labels.get(src[i]!))) return false;
  return true;
}

/** Substitutes `{{label}}` references in `replacement` with label values. */
function fillLabelReferences(replacement: string, labels: Labels): string {
  let out = "";
  let s = replacement;
  for (;;) {
    const open = s.indexOf("{{");
    if (open < 0) return out + s;
    out += s.slice(0, open);
    s = s.slice(open + 2);
    const close = s.indexOf("}}");
    if (close < 0) return out + "{{" + s;
    out += labels.get(s.slice(0, close));
    s = s.slice(close + 2);
  }
}
