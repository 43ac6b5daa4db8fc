import { describe, expect, test } from "bun:test";
import YAML from "yaml";
import { applyRelabeling, finalizeLabels, Labels, parseRelabelConfigs, removeEmptyLabels } from "./apply.ts";

/** Applies rules given as YAML to labels given as an object; `want` is sorted text or null (dropped). */
function f(rulesYaml: string, input: Record<string, string>, want: string | null): void {
  const rules = parseRelabelConfigs(YAML.parse(rulesYaml), "relabel_configs");
  const labels = Labels.fromObject(input);
  const kept = applyRelabeling(rules, labels);
  expect(kept ? labels.toString() : null).toBe(want);
}

describe("applyRelabeling()", () => {
  test("replace", () => {
    // Default regex copies the joined sources; a missing source is "".
    f(`- {source_labels: [a, b], target_label: c}`, { a: "1", b: "2" }, `{a="1",b="2",c="1;2"}`);
    f(`- {source_labels: [a, missing], target_label: c}`, { a: "1" }, `{a="1",c="1;"}`);
    f(`- {source_labels: [a, b], separator: "", target_label: c}`, { a: "1", b: "2" }, `{a="1",b="2",c="12"}`);
    // Empty result removes the target label.
    f(`- {source_labels: [missing], target_label: a}`, { a: "1", b: "2" }, `{b="2"}`);
    f(`- {target_label: a, replacement: ""}`, { a: "1", b: "2" }, `{b="2"}`);
    // Constant without source labels.
    f(`- {target_label: env, replacement: prod}`, { a: "1" }, `{a="1",env="prod"}`);
    f(`- {target_label: a, replacement: new}`, { a: "old" }, `{a="new"}`);
    // Regex no-match leaves labels untouched.
    f(`- {source_labels: [a], regex: "x(.*)", target_label: b}`, { a: "yz" }, `{a="yz"}`);
    f(`- {source_labels: [a], regex: ".+", target_label: b}`, { c: "1" }, `{c="1"}`);
    // Regex is anchored on both ends.
    f(`- {source_labels: [a], regex: "b", target_label: c, replacement: hit}`, { a: "abc" }, `{a="abc"}`);
    f(`- {source_labels: [a], regex: "^abc$", target_label: c, replacement: hit}`, { a: "abc" }, `{a="abc",c="hit"}`);
    // Groups: $1, ${1}, $0, named groups, $$ and missing groups.
    f(
      `- {source_labels: [a], regex: "(\\\\w+):(\\\\d+)", target_label: b, replacement: "$2-$1"}`,
      { a: "host:80" },
      `{a="host:80",b="80-host"}`,
    );
    f(
      `- {source_labels: [a], regex: "(.)(.*)", target_label: b, replacement: "\${1}x$0"}`,
      { a: "abc" },
      `{a="abc",b="axabc"}`,
    );
    f(
      `- {source_labels: [a], regex: "(?P<h>[^:]+):(?<p>.+)", target_label: b, replacement: "$p/\${h}"}`,
      { a: "h:1" },
      `{a="h:1",b="1/h"}`,
    );
    f(`- {source_labels: [a], regex: "(.*)", target_label: b, replacement: "$$1 $9"}`, { a: "v" }, `{a="v",b="$1 "}`);
    // $1x is the group named "1x" in Go, which does not exist.
    f(
      `- {source_labels: [a], regex: "(.*)", target_label: b, replacement: "$1x-\${1}x"}`,
      { a: "v" },
      `{a="v",b="-vx"}`,
    );
    // Capture groups in target_label.
    f(
      `- {source_labels: [a], regex: "(.+)=(.+)", target_label: "l_$1", replacement: "$2"}`,
      { a: "k=v" },
      `{a="k=v",l_k="v"}`,
    );
    // Default regex `.*` still exposes the whole value as $1, like VictoriaMetrics.
    f(`- {source_labels: [a], regex: ".*", target_label: b, replacement: "<$1>"}`, { a: "v" }, `{a="v",b="<v>"}`);
    // {{label}} references in replacement.
    f(
      `- {target_label: b, replacement: "{{a}}-{{missing}}-{{__name__}}"}`,
      { __name__: "m", a: "1" },
      `m{a="1",b="1--m"}`,
    );
    f(
      `- {source_labels: [a], regex: "(.)", target_label: b, replacement: "\${1}{{c}}"}`,
      { a: "1", c: "z" },
      `{a="1",b="1z",c="z"}`,
    );
    // "$1{{c}}" becomes "$1z": a reference to the missing group "1z".
    f(
      `- {source_labels: [a], regex: "(.)", target_label: b, replacement: "$1{{c}}"}`,
      { a: "1", c: "z" },
      `{a="1",c="z"}`,
    );
    // Case-insensitive regex and action.
    f(
      `- {action: Replace, source_labels: [a], regex: "(?i)FOO(.*)", target_label: b}`,
      { a: "foobar" },
      `{a="foobar",b="bar"}`,
    );
    // Regex as a YAML list is joined with "|".
    f(
      `- {source_labels: [a], regex: [x, "y(.*)"], target_label: b, replacement: "m$1"}`,
      { a: "yz" },
      `{a="yz",b="mz"}`,
    );
  });

  test("replace_all", () => {
    f(
      `- {action: replace_all, source_labels: [a], target_label: a, regex: "\\\\.", replacement: "_"}`,
      { a: "a.b.c" },
      `{a="a_b_c"}`,
    );
    f(`- {action: replace_all, source_labels: [a, b], target_label: c, regex: "(;)", replacement: "-$1-"}`, {
      a: "y",
      b: "",
    }, `{a="y",c="y-;-"}`);
    // No match: target untouched (not even created).
    f(
      `- {action: replace_all, source_labels: [a], target_label: c, regex: "z", replacement: "_"}`,
      { a: "abc" },
      `{a="abc"}`,
    );
    // Go semantics for empty matches right after a match: "abc" with b* → XaXcX (JS replace gives XaXXcX).
    f(
      `- {action: replace_all, source_labels: [a], target_label: a, regex: "b*", replacement: "X"}`,
      { a: "abc" },
      `{a="XaXcX"}`,
    );
    // Not anchored: ^ only matches at the start.
    f(
      `- {action: replace_all, source_labels: [a], target_label: a, regex: "^a", replacement: "b"}`,
      { a: "aaa" },
      `{a="baa"}`,
    );
  });

  test("keep and drop", () => {
    f(`- {action: keep, source_labels: [a], regex: "x|y"}`, { a: "y" }, `{a="y"}`);
    f(`- {action: keep, source_labels: [a], regex: "x|y"}`, { a: "yy" }, null);
    f(`- {action: keep, source_labels: [a], regex: ".+"}`, { b: "1" }, null);
    f(`- {action: drop, source_labels: [a], regex: ".+"}`, { b: "1" }, `{b="1"}`);
    f(`- {action: drop, source_labels: [a], regex: "foo.*"}`, { a: "foobar" }, null);
    f(`- {action: drop, source_labels: [a, b], regex: "1;2"}`, { a: "1", b: "2" }, null);
    // Missing source label is "" and matches an empty alternative.
    f(`- {action: drop, source_labels: [a], regex: "x|"}`, { b: "1" }, null);
    // With `if` and no regex: keep keeps matches, drop drops matches.
    f(`- {action: keep, if: '{a="1"}'}`, { a: "1" }, `{a="1"}`);
    f(`- {action: keep, if: '{a="1"}'}`, { a: "2" }, null);
    f(`- {action: drop, if: '{a="1"}'}`, { a: "1" }, null);
    f(`- {action: drop, if: '{a="1"}'}`, { a: "2" }, `{a="2"}`);
    // `if` and regex must both match for drop; an `if` mismatch drops for keep.
    f(`- {action: drop, if: '{a="1"}', source_labels: [b], regex: "x"}`, { a: "1", b: "y" }, `{a="1",b="y"}`);
    f(`- {action: keep, if: '{a="1"}', source_labels: [b], regex: "x"}`, { a: "2", b: "x" }, null);
  });

  test("keep_metrics and drop_metrics", () => {
    f(`- {action: keep_metrics, regex: "up|foo_.+"}`, { __name__: "foo_total" }, `foo_total`);
    f(`- {action: keep_metrics, regex: "up|foo_.+"}`, { __name__: "bar" }, null);
    f(`- {action: drop_metrics, regex: [up, "go_.*"]}`, { __name__: "go_gc" }, null);
    f(`- {action: drop_metrics, regex: [up, "go_.*"]}`, { __name__: "upx" }, `upx`);
    f(`- {action: drop_metrics, if: 'up{job="x"}'}`, { __name__: "up", job: "x" }, null);
  });

  test("keep_if_equal, drop_if_equal, keepequal, dropequal", () => {
    f(`- {action: keep_if_equal, source_labels: [a, b]}`, { a: "1", b: "1" }, `{a="1",b="1"}`);
    f(`- {action: keep_if_equal, source_labels: [a, b]}`, { a: "1", b: "2" }, null);
    f(`- {action: keep_if_equal, source_labels: [a, b, c]}`, { a: "1", b: "1" }, null);
    f(`- {action: keep_if_equal, source_labels: [x, y]}`, { a: "1" }, `{a="1"}`);
    f(`- {action: drop_if_equal, source_labels: [a, b]}`, { a: "1", b: "1" }, null);
    f(`- {action: drop_if_equal, source_labels: [a, b]}`, { a: "1", b: "2" }, `{a="1",b="2"}`);
    f(`- {action: keepequal, source_labels: [a], target_label: b}`, { a: "1", b: "1" }, `{a="1",b="1"}`);
    f(`- {action: keepequal, source_labels: [a], target_label: b}`, { a: "1", b: "2" }, null);
    f(
      `- {action: keepequal, source_labels: [a, c], target_label: b}`,
      { a: "1", b: "1;2", c: "2" },
      `{a="1",b="1;2",c="2"}`,
    );
    f(`- {action: dropequal, source_labels: [a], target_label: b}`, { a: "1", b: "1" }, null);
    f(`- {action: dropequal, source_labels: [a], target_label: b}`, { a: "1", b: "2" }, `{a="1",b="2"}`);
    // Both missing → equal.
    f(`- {action: dropequal, source_labels: [x], target_label: y}`, { a: "1" }, null);
  });

  test("keep_if_contains and drop_if_contains", () => {
    const l = { tags: ",a,b,c,", t1: ",a,", t2: ",c," };
    f(
      `- {action: keep_if_contains, source_labels: [t1, t2], target_label: tags}`,
      l,
      `{t1=",a,",t2=",c,",tags=",a,b,c,"}`,
    );
    f(`- {action: keep_if_contains, source_labels: [t1, t2], target_label: tags}`, { ...l, t2: ",d," }, null);
    f(`- {action: drop_if_contains, source_labels: [t1], target_label: tags}`, l, null);
    f(
      `- {action: drop_if_contains, source_labels: [t1], target_label: tags}`,
      { ...l, t1: "z" },
      `{t1="z",t2=",c,",tags=",a,b,c,"}`,
    );
    // A missing source is "", which every string contains.
    f(`- {action: drop_if_contains, source_labels: [x], target_label: tags}`, l, null);
  });

  test("hashmod", () => {
    // Values from VictoriaMetrics' relabel_test.go (xxhash64 % 123).
    f(
      `- {action: hashmod, source_labels: [foo], target_label: aaa, modulus: 123}`,
      { foo: "yyy" },
      `{aaa="73",foo="yyy"}`,
    );
    f(
      `- {action: hashmod, source_labels: [foo], target_label: aaa, modulus: 123}`,
      { xxx: "yyy" },
      `{aaa="81",xxx="yyy"}`,
    );
    // Independently computed with Bun.hash.xxHash64 over the joined values.
    const want = String(Bun.hash.xxHash64("10.0.0.1:9100;node") % 7n);
    f(`- {action: hashmod, source_labels: [a, job], target_label: shard, modulus: 7}`, {
      a: "10.0.0.1:9100",
      job: "node",
    }, `{a="10.0.0.1:9100",job="node",shard="${want}"}`);
    const big = String(Bun.hash.xxHash64("ünïcode") % 1000000007n);
    f(
      `- {action: hashmod, source_labels: [a], target_label: h, modulus: 1000000007}`,
      { a: "ünïcode" },
      `{a="ünïcode",h="${big}"}`,
    );
    f(`- {action: hashmod, source_labels: [a], target_label: a, modulus: 1}`, { a: "x" }, `{a="0"}`);
  });

  test("labelmap and labelmap_all", () => {
    // labelmap copies; the original label stays.
    f(`- {action: labelmap, regex: "__meta_kubernetes_node_label_(.+)"}`, {
      __meta_kubernetes_node_label_zone: "a",
      x: "1",
    }, `{__meta_kubernetes_node_label_zone="a",x="1",zone="a"}`);
    f(
      `- {action: labelmap, regex: "foo(.+)", replacement: "$1-x"}`,
      { foo: "yyy", foobar: "aaa" },
      `{bar-x="aaa",foo="yyy",foobar="aaa"}`,
    );
    f(`- {action: labelmap, regex: "foo(.*)"}`, { foo: "1" }, `{foo="1"}`); // maps to "" → removed
    f(`- {action: labelmap, regex: "a", replacement: b}`, { a: "1", ab: "2" }, `{a="1",ab="2",b="1"}`);
    // An existing target label is overwritten.
    f(`- {action: labelmap, regex: "new_(.+)"}`, { new_x: "n", x: "o" }, `{new_x="n",x="n"}`);
    f(
      `- {action: labelmap_all, regex: "\\\\.", replacement: "-"}`,
      { "foo.bar.baz": "y", foobar: "a" },
      `{foo-bar-baz="y",foobar="a"}`,
    );
    f(`- {action: labelmap_all, regex: "(o+)", replacement: "<$1>"}`, { foo: "y" }, `{f<oo>="y"}`);
  });

  test("labeldrop and labelkeep", () => {
    f(`- {action: labeldrop, regex: "dropme.*"}`, { xxx: "y", "dropme-please": "a", foo: "b" }, `{foo="b",xxx="y"}`);
    f(`- {action: labeldrop, regex: "dropme.*"}`, { a: "b" }, `{a="b"}`);
    f(`- {action: labeldrop, regex: "a|b"}`, { a: "1", b: "2" }, null);
    f(
      `- {action: labelkeep, regex: "keepme.*|__name__"}`,
      { __name__: "m", keepme: "a", aaaa: "b", "keepme-x": "c" },
      `m{keepme="a",keepme-x="c"}`,
    );
    f(`- {action: labeldrop, regex: "(?i)TMP_.*"}`, { tmp_a: "1", b: "2" }, `{b="2"}`);
  });

  test("uppercase and lowercase", () => {
    f(`- {action: uppercase, source_labels: [a, b], target_label: c}`, { a: "x", b: "Yé" }, `{a="x",b="Yé",c="X;YÉ"}`);
    f(`- {action: lowercase, source_labels: [a], target_label: a}`, { a: "MiXeD" }, `{a="mixed"}`);
    f(`- {action: lowercase, source_labels: [missing], target_label: a}`, { a: "x", b: "1" }, `{b="1"}`);
  });

  test("graphite", () => {
    const rule = `- action: graphite
  match: "*.server.*.total"
  labels: {__name__: "\${2}_total", job: "$1", full: "$0", bad: "$9 \${x}"}`;
    f(
      rule,
      { __name__: "app42.server.req.total" },
      `req_total{bad="$9 \${x}",full="app42.server.req.total",job="app42"}`,
    );
    // A "*" never matches a dot.
    f(rule, { __name__: "app.42.server.req.total" }, `app.42.server.req.total`);
    f(rule, { __name__: "app42.server.req.totals" }, `app42.server.req.totals`);
    f(`- {action: graphite, match: "foo.*", labels: {x: "$1"}}`, { __name__: "foo.bar" }, `foo.bar{x="bar"}`);
    f(`- {action: graphite, match: "foo.*", labels: {x: "$1"}}`, { __name__: "foo.bar.baz" }, `foo.bar.baz`);
  });

  test("if filter applies to any action", () => {
    f(
      `- {if: '{env=~"prod|stage"}', target_label: tier, replacement: high}`,
      { env: "prod" },
      `{env="prod",tier="high"}`,
    );
    f(`- {if: '{env=~"prod|stage"}', target_label: tier, replacement: high}`, { env: "dev" }, `{env="dev"}`);
    f(`- {if: [foo, '{a="1"}'], action: labeldrop, regex: b}`, { __name__: "bar", a: "1", b: "2" }, `bar{a="1"}`);
    f(`- {if: [foo, '{a="1"}'], action: labeldrop, regex: b}`, { __name__: "bar", a: "2", b: "2" }, `bar{a="2",b="2"}`);
  });

  test("chains of rules see earlier results", () => {
    f(
      `
- {source_labels: [a], target_label: b, replacement: "x-$1"}
- {source_labels: [b], target_label: c, regex: "x-(.*)", replacement: "y-$1"}
- {action: labeldrop, regex: a}
`,
      { a: "1" },
      `{b="x-1",c="y-1"}`,
    );
    // An empty intermediate value is visible to later rules as "" and removed at the end.
    f(
      `
- {target_label: a, replacement: ""}
- {source_labels: [a], target_label: b, regex: "", replacement: "was-empty"}
`,
      { a: "1" },
      `{b="was-empty"}`,
    );
  });

  test("returns false when all labels are removed", () => {
    f(`- {action: labelkeep, regex: nothing}`, { a: "1" }, null);
  });
});

describe("finalizeLabels()", () => {
  const f = (input: [string, string][], want: [string, string][]) => {
    const l = Labels.fromPairs(input);
    finalizeLabels(l);
    expect(l.toPairs()).toEqual(want);
  };
  f([], []);
  f([["foo", "bar"], ["__aaa", "x"], ["instance", "i"]], [["foo", "bar"], ["instance", "i"]]);
  f([["__name__", "m"], ["__address__", "a"], ["_x", "1"], ["e", ""], ["", "v"]], [["__name__", "m"], ["_x", "1"]]);
  test("keeps order and capacity", () => {
    const l = Labels.fromPairs([["a", "1"], ["__b", "2"], ["c", "3"]]);
    finalizeLabels(l);
    expect(l.length).toBe(2);
    expect(l.names[1]).toBe("c");
  });
});

describe("removeEmptyLabels()", () => {
  test("removes empty names and values only", () => {
    const l = Labels.fromPairs([["a", ""], ["__b", "2"], ["", "x"], ["c", "3"]]);
    removeEmptyLabels(l);
    expect(l.toPairs()).toEqual([["__b", "2"], ["c", "3"]]);
  });
});

describe("Labels", () => {
  test("reuse without reallocating arrays", () => {
    const l = new Labels(2);
    const names = l.names;
    for (let i = 0; i < 3; i++) {
      l.reset();
      l.push("a", "1");
      l.set("b", "2");
      l.set("a", "3");
    }
    expect(l.names).toBe(names);
    expect(l.toPairs()).toEqual([["a", "3"], ["b", "2"]]);
    expect(l.get("zz")).toBe("");
    expect(l.toString()).toBe(`{a="3",b="2"}`);
  });
});
