/**
 * Parsing and compiling of relabeling rules (`relabel_configs`, `metric_relabel_configs`,
 * `-remoteWrite.relabelConfig`, `-remoteWrite.urlRelabelConfig`) with the validation of
 * VictoriaMetrics' `lib/promrelabel/config.go`. The input is already-parsed YAML; reading the
 * file is the caller's job.
 */

import { RelabelRegex, removeStartEndAnchors, Template } from "./_regex.ts";
import { GraphiteMatchTemplate, GraphiteReplaceTemplate } from "./graphite.ts";
import { parseSeriesSelector, type SeriesSelector } from "./selector.ts";

/** Action codes, for a numeric switch on the hot path. */
export const ACTION = {
  replace: 0,
  replace_all: 1,
  keep: 2,
  drop: 3,
  hashmod: 4,
  labelmap: 5,
  labelmap_all: 6,
  labeldrop: 7,
  labelkeep: 8,
  keep_if_equal: 9,
  drop_if_equal: 10,
  keepequal: 11,
  dropequal: 12,
  keep_if_contains: 13,
  drop_if_contains: 14,
  uppercase: 15,
  lowercase: 16,
  graphite: 17,
} as const;

/** One compiled rule. Immutable except for the regex caches inside `regex`. */
export interface RelabelRule {
  /** Position in the list, for messages. */
  readonly index: number;
  /** Effective action: `keep_metrics`/`drop_metrics` become `keep`/`drop` on `__name__`. */
  readonly action: keyof typeof ACTION;
  readonly code: number;
  readonly sourceLabels: readonly string[];
  readonly separator: string;
  readonly targetLabel: string;
  /** True when `regex` was absent or matches everything (`.*`, `(.*)`…). */
  readonly isDefaultRegex: boolean;
  readonly regex: RelabelRegex;
  readonly modulus: bigint;
  readonly replacement: string;
  readonly replacementTemplate: Template;
  readonly replacementHasDollar: boolean;
  /** True when `replacement` contains `{{label}}` references. */
  readonly replacementHasLabelRefs: boolean;
  /** Set when `target_label` contains `$` group references. */
  readonly targetTemplate: Template | null;
  readonly if: SeriesSelector | null;
  readonly graphiteMatch: GraphiteMatchTemplate | null;
  readonly graphiteLabels: readonly (readonly [string, GraphiteReplaceTemplate])[];
  /** The rule as written (for debug pages and logs). */
  readonly original: Readonly<Record<string, unknown>>;
}

/** A compiled rule list; share it freely (regex caches are bounded and single-threaded). */
export interface CompiledRelabelRules {
  readonly rules: readonly RelabelRule[];
}

/** The fields a relabeling rule may have. */
export const RELABEL_FIELDS: ReadonlySet<string> = new Set([
  "if",
  "action",
  "source_labels",
  "separator",
  "target_label",
  "regex",
  "modulus",
  "replacement",
  "match",
  "labels",
]);

/**
 * Parses and compiles a list of relabeling rules.
 *
 * @param yamlValue the parsed YAML value: a list of maps, or null/undefined for no rules.
 * @param path where the list came from, used as the message prefix, e.g.
 *   `scrape_configs[0].metric_relabel_configs`; rule `i` is reported as `${path}[i]`.
 * @throws TypeError for a wrong shape, an unknown field or action, a missing or forbidden field;
 *   SyntaxError for an unparseable `regex` or `if`; RangeError for a bad `modulus`.
 */
export function parseRelabelConfigs(yamlValue: unknown, path: string): CompiledRelabelRules {
  if (yamlValue === null || yamlValue === undefined) return { rules: [] };
  if (!Array.isArray(yamlValue)) throw new TypeError(`${path}: got ${describe(yamlValue)}; want a list of rules`);
  const rules: RelabelRule[] = [];
  for (let i = 0; i < yamlValue.length; i++) {
    const where = `${path}[${i}]`;
    try {
      rules.push(compileRule(yamlValue[i], i));
    } catch (e) {
      if (e instanceof Error) {
        const Ctor = e instanceof SyntaxError ? SyntaxError : e instanceof RangeError ? RangeError : TypeError;
        throw new Ctor(`${where}: ${e.message}`, { cause: e });
      }
      throw e;
    }
  }
  return { rules };
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a map";
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** YAML scalars into string fields, as yaml.v2 does for `target_label: 123`. */
function str(v: unknown, field: string): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  throw new TypeError(`cannot parse "${field}": got ${describe(v)}; want a string`);
}

/** `regex` may be a scalar or a list joined with "|" (MultiLineRegex in config.go). */
function regexString(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return v.map(regexString).join("|");
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  throw new TypeError(`cannot parse "regex": got ${describe(v)}; want a string or a list of strings`);
}

function compileRule(raw: unknown, index: number): RelabelRule {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new TypeError(`got ${describe(raw)}; want a map with relabeling rule fields`);
  }
  const rc = raw as Record<string, unknown>;
  for (const k of Object.keys(rc)) {
    if (!RELABEL_FIELDS.has(k)) throw new TypeError(`unknown field ${JSON.stringify(k)}`);
  }
  // yaml.v2 leaves a pointer field nil for an explicit null, so null means "not set".
  const has = (k: string): boolean => rc[k] !== undefined && rc[k] !== null;

  const rawAction = has("action") ? str(rc.action, "action") : "";
  let action = rawAction.toLowerCase() || "replace";
  let sourceLabels: string[] = [];
  if (has("source_labels")) {
    if (!Array.isArray(rc.source_labels)) {
      throw new TypeError(`cannot parse "source_labels": got ${describe(rc.source_labels)}; want a list of strings`);
    }
    sourceLabels = rc.source_labels.map((v) => str(v, "source_labels"));
  }
  const separator = has("separator") ? str(rc.separator, "separator") : ";";
  const targetLabel = has("target_label") ? str(rc.target_label, "target_label") : "";
  const hasRegex = has("regex");
  const regexRaw = hasRegex ? regexString(rc.regex) : "";
  const hasReplacement = has("replacement");
  const replacement = hasReplacement ? str(rc.replacement, "replacement") : "$1";
  let modulus = 0n;
  if (has("modulus")) {
    const m = rc.modulus;
    if (typeof m === "bigint") modulus = m;
    else if (typeof m === "number" && Number.isInteger(m)) modulus = BigInt(m);
    else throw new TypeError(`cannot parse "modulus": got ${describe(m)}; want a non-negative integer`);
    if (modulus < 0n || modulus >= 1n << 64n) {
      throw new RangeError(`"modulus" must fit an unsigned 64-bit integer; got ${m}`);
    }
  }
  const ifSel = has("if") ? parseSeriesSelector(rc.if) : null;
  const matchStr = has("match") ? str(rc.match, "match") : "";
  let graphiteLabels: [string, GraphiteReplaceTemplate][] = [];
  if (has("labels")) {
    const l = rc.labels;
    if (typeof l !== "object" || l === null || Array.isArray(l)) {
      throw new TypeError(`cannot parse "labels": got ${describe(l)}; want a map of label name to template`);
    }
    graphiteLabels = Object.entries(l).map(([k, v]) => [k, new GraphiteReplaceTemplate(str(v, `labels.${k}`))]);
  }

  const missing = (field: string): never => {
    throw new TypeError(`missing ${JSON.stringify(field)} for action ${JSON.stringify(action)}`);
  };
  const forbidden = (field: string): never => {
    throw new TypeError(`${JSON.stringify(field)} cannot be used with action ${JSON.stringify(action)}`);
  };
  switch (action) {
    case "graphite":
      if (matchStr === "") missing("match");
      if (graphiteLabels.length === 0) missing("labels");
      if (sourceLabels.length > 0) forbidden("source_labels");
      if (targetLabel !== "") forbidden("target_label");
      if (hasReplacement) forbidden("replacement");
      if (hasRegex) forbidden("regex");
      break;
    case "replace":
      if (targetLabel === "") missing("target_label");
      break;
    case "replace_all":
    case "hashmod":
    case "uppercase":
    case "lowercase":
      if (sourceLabels.length === 0) missing("source_labels");
      if (targetLabel === "") missing("target_label");
      if (action === "hashmod" && modulus < 1n) {
        throw new RangeError(`"modulus" must be greater than 0 for action "hashmod"; got ${modulus}`);
      }
      break;
    case "keep_if_contains":
    case "drop_if_contains":
      if (targetLabel === "") missing("target_label");
      if (sourceLabels.length === 0) missing("source_labels");
      if (hasRegex) forbidden("regex");
      break;
    case "keep_if_equal":
    case "drop_if_equal":
      if (sourceLabels.length < 2) {
        throw new TypeError(`"source_labels" must contain at least two entries for action ${JSON.stringify(action)}`);
      }
      if (targetLabel !== "") forbidden("target_label");
      if (hasRegex) forbidden("regex");
      break;
    case "keepequal":
    case "dropequal":
      if (targetLabel === "") missing("target_label");
      if (hasRegex) forbidden("regex");
      break;
    case "keep":
    case "drop":
      if (sourceLabels.length === 0 && ifSel === null) missing("source_labels");
      break;
    case "keep_metrics":
    case "drop_metrics":
      if (regexRaw === "" && ifSel === null) missing("regex");
      if (sourceLabels.length > 0) forbidden("source_labels");
      sourceLabels = ["__name__"];
      action = action === "keep_metrics" ? "keep" : "drop";
      break;
    case "labelmap":
    case "labelmap_all":
    case "labeldrop":
    case "labelkeep":
      break;
    default:
      throw new TypeError(
        `unknown action ${JSON.stringify(action)}; want one of ${
          Object.keys(ACTION).join(", ")
        }, keep_metrics, drop_metrics`,
      );
  }
  if (action !== "graphite") {
    if (matchStr !== "") {
      throw new TypeError(`"match" can only be used with action "graphite", not ${JSON.stringify(action)}`);
    }
    if (graphiteLabels.length > 0) {
      throw new TypeError(`"labels" can only be used with action "graphite", not ${JSON.stringify(action)}`);
    }
  }

  // config.go anchors the regex except for the *_all actions, comparing the action as written.
  const unanchored = rawAction === "replace_all" || rawAction === "labelmap_all";
  let regex: RelabelRegex | null = null;
  let isDefaultRegex = true;
  if (hasRegex) {
    const expr = unanchored ? regexRaw : removeStartEndAnchors(regexRaw);
    try {
      regex = new RelabelRegex(expr);
    } catch (e) {
      throw new SyntaxError(`cannot parse "regex": ${(e as Error).message}`);
    }
    // The default check ignores anchors even for the *_all actions, as isDefaultRegex does.
    const plain = unanchored ? new RelabelRegex(removeStartEndAnchors(regexRaw)) : regex;
    isDefaultRegex = plain.matcher.matchesAll && plain.parsed.groups <= 1;
  }
  if (regex === null || isDefaultRegex) regex = new RelabelRegex(unanchored ? ".*" : "(.*)");
  const code = ACTION[action as keyof typeof ACTION];
  return {
    index,
    action: action as keyof typeof ACTION,
    code,
    sourceLabels,
    separator,
    targetLabel,
    isDefaultRegex,
    regex,
    modulus,
    replacement,
    replacementTemplate: regex.template(replacement),
    replacementHasDollar: replacement.includes("$"),
    replacementHasLabelRefs: replacement.includes("{{"),
    targetTemplate: targetLabel.includes("$") ? regex.template(targetLabel) : null,
    if: ifSel,
    graphiteMatch: matchStr !== "" ? new GraphiteMatchTemplate(matchStr) : null,
    graphiteLabels,
    original: rc,
  };
}
