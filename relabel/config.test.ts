import { describe, expect, test } from "bun:test";
import YAML from "yaml";
import { parseRelabelConfigs } from "./config.ts";

describe("parseRelabelConfigs()", () => {
  test("rejects invalid rules with the rule index and field", () => {
    const f = (yaml: string, type: typeof Error, message: string) => {
      const run = () => parseRelabelConfigs(YAML.parse(yaml), "relabel_configs");
      expect(run).toThrow(type);
      expect(run).toThrow(message);
    };
    f(
      `[{target_label: a}, {action: replace}]`,
      TypeError,
      `relabel_configs[1]: missing "target_label" for action "replace"`,
    );
    f(`[{action: foo}]`, TypeError, `relabel_configs[0]: unknown action "foo"`);
    f(`[{target_label: a, sourcelabels: [x]}]`, TypeError, `relabel_configs[0]: unknown field "sourcelabels"`);
    f(`{a: b}`, TypeError, "relabel_configs: got a map; want a list of rules");
    f(`[x]`, TypeError, "relabel_configs[0]: got string");
    f(`[{target_label: a, source_labels: x}]`, TypeError, `cannot parse "source_labels"`);
    f(`[{target_label: a, regex: "(x"}]`, SyntaxError, `relabel_configs[0]: cannot parse "regex"`);
    f(`[{action: keep, if: "rate(x[5m])"}]`, SyntaxError, "relabel_configs[0]: Cannot parse series selector");
    f(`[{action: keep, if: 5}]`, TypeError, `Cannot parse "if"`);
    f(`[{action: replace_all, target_label: a}]`, TypeError, `missing "source_labels" for action "replace_all"`);
    f(`[{action: replace_all, source_labels: [a]}]`, TypeError, `missing "target_label" for action "replace_all"`);
    f(`[{action: keep}]`, TypeError, `missing "source_labels" for action "keep"`);
    f(`[{action: drop}]`, TypeError, `missing "source_labels" for action "drop"`);
    f(`[{action: hashmod, source_labels: [a], target_label: b}]`, RangeError, `"modulus" must be greater than 0`);
    f(`[{action: hashmod, source_labels: [a], target_label: b, modulus: -1}]`, RangeError, `"modulus" must fit`);
    f(`[{action: hashmod, source_labels: [a], target_label: b, modulus: 1.5}]`, TypeError, `cannot parse "modulus"`);
    f(`[{action: hashmod, target_label: b, modulus: 2}]`, TypeError, `missing "source_labels"`);
    f(`[{action: keep_if_equal, source_labels: [a]}]`, TypeError, "at least two entries");
    f(`[{action: keep_if_equal, source_labels: [a, b], target_label: c}]`, TypeError, `"target_label" cannot be used`);
    f(`[{action: drop_if_equal, source_labels: [a, b], regex: x}]`, TypeError, `"regex" cannot be used`);
    f(`[{action: keepequal, source_labels: [a]}]`, TypeError, `missing "target_label" for action "keepequal"`);
    f(`[{action: dropequal, source_labels: [a], target_label: b, regex: x}]`, TypeError, `"regex" cannot be used`);
    f(`[{action: keep_if_contains, source_labels: [a]}]`, TypeError, `missing "target_label"`);
    f(`[{action: drop_if_contains, target_label: a}]`, TypeError, `missing "source_labels"`);
    f(`[{action: keep_metrics}]`, TypeError, `missing "regex" for action "keep_metrics"`);
    f(`[{action: drop_metrics, regex: x, source_labels: [a]}]`, TypeError, `"source_labels" cannot be used`);
    f(`[{action: uppercase, source_labels: [a]}]`, TypeError, `missing "target_label" for action "uppercase"`);
    f(`[{action: lowercase, target_label: a}]`, TypeError, `missing "source_labels" for action "lowercase"`);
    f(`[{action: graphite, labels: {a: b}}]`, TypeError, `missing "match"`);
    f(`[{action: graphite, match: "a.*"}]`, TypeError, `missing "labels"`);
    f(
      `[{action: graphite, match: "a.*", labels: {a: b}, target_label: x}]`,
      TypeError,
      `"target_label" cannot be used`,
    );
    f(`[{action: graphite, match: "a.*", labels: {a: b}, regex: x}]`, TypeError, `"regex" cannot be used`);
    f(`[{action: graphite, match: "a.*", labels: {a: b}, replacement: x}]`, TypeError, `"replacement" cannot be used`);
    f(`[{action: labeldrop, regex: x, match: "a.*"}]`, TypeError, `"match" can only be used with action "graphite"`);
    f(`[{action: labeldrop, regex: x, labels: {a: b}}]`, TypeError, `"labels" can only be used with action "graphite"`);
  });

  test("defaults and normalisation", () => {
    const f = (yaml: string, check: Record<string, unknown>) => {
      const r = parseRelabelConfigs(YAML.parse(yaml), "x").rules[0]!;
      const got: Record<string, unknown> = {};
      for (const k of Object.keys(check)) got[k] = (r as unknown as Record<string, unknown>)[k];
      expect(got).toEqual(check);
    };
    f(`[{target_label: a}]`, { action: "replace", separator: ";", replacement: "$1", isDefaultRegex: true });
    f(`[{action: KEEP, source_labels: [a], regex: "(.*)"}]`, { action: "keep", isDefaultRegex: true });
    f(`[{action: keep, source_labels: [a], regex: "^.*$"}]`, { isDefaultRegex: true });
    f(`[{action: keep, source_labels: [a], regex: ".+"}]`, { isDefaultRegex: false });
    f(`[{action: keep_metrics, regex: "a"}]`, { action: "keep", sourceLabels: ["__name__"] });
    f(`[{action: drop_metrics, regex: "a"}]`, { action: "drop", sourceLabels: ["__name__"] });
    // null means "not set", as yaml.v2 does for pointer fields.
    f(`[{target_label: a, replacement: null, separator: null}]`, { replacement: "$1", separator: ";" });
    f(`[{target_label: 5, replacement: 7}]`, { targetLabel: "5", replacement: "7" });
    const big = YAML.parse(`[{action: hashmod, source_labels: [a], target_label: b, modulus: 18446744073709551615}]`, {
      intAsBigInt: true,
    });
    expect(parseRelabelConfigs(big, "x").rules[0]!.modulus).toBe(18446744073709551615n);
  });

  test("empty input yields no rules", () => {
    expect(parseRelabelConfigs(null, "x").rules).toEqual([]);
    expect(parseRelabelConfigs(undefined, "x").rules).toEqual([]);
    expect(parseRelabelConfigs([], "x").rules).toEqual([]);
  });

  test("regex list joined with |, scalars stringified", () => {
    const r = parseRelabelConfigs(YAML.parse(`[{action: keep, source_labels: [a], regex: [foo, 42, true]}]`), "x");
    const m = r.rules[0]!.regex.matcher;
    expect([m.test("foo"), m.test("42"), m.test("true"), m.test("x")]).toEqual([true, true, true, false]);
  });
});
