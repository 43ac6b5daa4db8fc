/**
 * Differential test against the real vmagent v1.79.5: the same series pushed through vmagent's
 * `-remoteWrite.urlRelabelConfig` into a real VictoriaMetrics must come out exactly as this engine
 * produces them (applyRelabeling + finalizeLabels, which vmagent runs after remote-write
 * relabeling). Each case gets its own remote-write URL (same VictoriaMetrics) and ends with a rule
 * adding `case="N"`, so the outputs can be told apart.
 *
 * v1.79.5 predates keepequal/dropequal (v1.86.0), keep_if_contains/drop_if_contains (v1.96.0)
 * `{{label}}` references in `replacement` and lists of selectors in `if`, so those are covered by
 * apply.test.ts and selector.test.ts only. Current vmagent also treats `regex: ".*"` as the
 * default `^(.*)$` (so `$1` is the whole value) where v1.79.5 compiled it as written.
 */

import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import YAML from "yaml";
import { freePort, have, Proc, tempDir, VictoriaMetrics, waitFor } from "../tests/_harness.ts";
import { applyRelabeling, finalizeLabels, Labels, parseRelabelConfigs } from "./apply.ts";

/** Raw template text, with `\${` unescaped (so YAML can use `${1}`). */
const y = (s: TemplateStringsArray): string => String.raw(s).replaceAll("\\${", "${");

const SERIES: Record<string, string>[] = [
  { __name__: "http_requests_total", job: "api", instance: "10.0.0.1:8080", env: "prod", path: "/a/b", __tmp_src: "x" },
  { __name__: "http_requests_total", job: "api", instance: "10.0.0.2:8080", env: "dev", path: "/c" },
  { __name__: "go_gc_duration_seconds", job: "node", instance: "host-1:9100", quantile: "0.5" },
  { __name__: "node_cpu_seconds_total", job: "node", instance: "host-2:9100", cpu: "0", mode: "idle", team: "Infra" },
  { __name__: "app42.server.req.total", job: "graphite" },
  { __name__: "up", job: "node", instance: "host-1:9100", a: "same", b: "same" },
  { __name__: "weird", job: "x", "label.with.dots": "v", foo_bar: "1", foo_baz: "2", UPPER: "MiXeD", ünï: "çødé" },
];

const CASES: string[] = [
  // replace: groups, named groups, $1x, target templates, separators, __tmp labels, removal
  y`
- {source_labels: [instance], regex: '([^:]+):(?P<port>\d+)', target_label: host, replacement: "$1"}
- {source_labels: [instance], regex: '([^:]+):(?P<port>\d+)', target_label: "port_$port", replacement: "p\${port}"}
- {source_labels: [job, env], separator: "/", target_label: je}
- {source_labels: [path], regex: '/(\w+).*', target_label: first, replacement: "$1x-\${1}x"}
- {source_labels: [__tmp_src], target_label: from_tmp}
- {source_labels: [missing], target_label: env}
- {target_label: __tmp_gone, replacement: "v"}
`,
  // replace_all, labelmap_all, uppercase, lowercase
  y`
- {action: replace_all, source_labels: [path], target_label: path, regex: "/", replacement: "_"}
- {action: replace_all, source_labels: [instance], target_label: digits, regex: '\D*(\d)', replacement: "<$1>"}
- {action: labelmap_all, regex: '\.', replacement: "_"}
- {action: uppercase, source_labels: [job], target_label: job_up}
- {action: lowercase, source_labels: [team, UPPER], target_label: low}
`,
  // keep, drop, keep_metrics, drop_metrics
  y`
- {action: drop_metrics, regex: "go_.*"}
- {action: keep, source_labels: [job], regex: ["api", "node", "x"]}
- {action: drop, source_labels: [env], regex: "(?i)DEV"}
- {action: keep_metrics, regex: "http_.+|node_.*|up|weird"}
`,
  // hashmod
  y`
- {action: hashmod, source_labels: [instance, job], target_label: shard, modulus: 3}
- {action: hashmod, source_labels: [__name__], target_label: nshard, modulus: 1000003}
- {action: hashmod, source_labels: [ünï], target_label: ushard, modulus: 97}
`,
  // labelmap, labeldrop, labelkeep
  y`
- {action: labelmap, regex: "foo_(.+)", replacement: "mapped_$1"}
- {action: labelmap, regex: "(?i)(UP)PER", replacement: "\${1}_copy"}
- {action: labeldrop, regex: "instance|env"}
- {action: labelkeep, regex: "__name__|job|mapped_.*|foo_.*|UP_copy|cpu|quantile"}
`,
  // keep_if_equal, drop_if_equal, if
  y`
- {action: drop_if_equal, source_labels: [a, b], if: up}
- {action: keep_if_equal, source_labels: [job, job]}
- {action: keep_if_equal, source_labels: [foo_bar, foo_baz], if: '{job="x"}'}
`,
  // graphite and if
  y`
- {action: graphite, match: "*.server.*.total", labels: {__name__: "\${2}_total", app: "$1", all: "$0"}}
- {if: '{job=~"node|api", env!="dev"}', target_label: matched, replacement: "yes"}
- {if: '{cpu="0"}', target_label: either, replacement: "yes"}
- {if: '{__name__=~"http_.*", missing=""}', target_label: m2, replacement: "yes"}
`,
  // regex syntax differences
  y`
- {source_labels: [instance], regex: 'host-[[:digit:]]+:\d{4}', target_label: is_host, replacement: "1"}
- {source_labels: [__name__], regex: "(?i)HTTP_(.*)_TOTAL", target_label: short}
- {source_labels: [__name__], regex: '\Qapp42.server\E.*', target_label: quoted, replacement: "q"}
- {source_labels: [path], regex: "(.*)", target_label: p2, replacement: "<$1>"}
- {source_labels: [ünï], regex: "(.)(.)", target_label: runes, replacement: "$2$1"}
- {source_labels: [instance], regex: '^10\.0\.0\.\d+:8080$', target_label: anchored, replacement: "y"}
- {source_labels: [job], regex: "a(?P<rest>.*)|n(?P<rest2>.*)", target_label: alt, replacement: "[$rest|$rest2]"}
- {source_labels: [instance], regex: '(.+?)(\d*):(\d+)', target_label: lazy, replacement: "$1|$2|$3"}
- {source_labels: [__name__], regex: '[a-z]+_(?:requests|gc)_.*', target_label: cls, replacement: "c"}
- {action: replace_all, source_labels: [__name__], target_label: words, regex: '\b(\w)', replacement: "^$1"}
- {action: replace_all, source_labels: [job], target_label: empties, regex: 'x*', replacement: "-"}
- {action: labeldrop, regex: '(?i)^upper$|LABEL\..*'}
`,
];

function expected(caseYaml: string): string[] {
  const rules = parseRelabelConfigs(YAML.parse(caseYaml), "relabel_configs");
  const out: string[] = [];
  for (const s of SERIES) {
    const l = Labels.fromObject(s);
    if (!applyRelabeling(rules, l)) continue;
    finalizeLabels(l);
    if (l.length > 0) out.push(l.toString());
  }
  // Series that became identical are one series in VictoriaMetrics.
  return [...new Set(out)].sort();
}

describe.skipIf(!have("vmagent") || !have("victoria-metrics"))("relabeling matches vmagent v1.79.5", () => {
  test("same output for every case", async () => {
    using dir = tempDir("drover-relabel-");
    await using vm = await VictoriaMetrics.start();
    const cases = CASES.map((c, i) => `${c}\n- {target_label: case, replacement: "${i}"}\n`);
    const args: string[] = [];
    cases.forEach((c, i) => {
      const file = join(dir.path, `case${i}.yml`);
      writeFileSync(file, c);
      // A distinct query string per URL keeps vmagent's queues apart.
      args.push(`-remoteWrite.url=${vm.writeURL}?case=${i}`, `-remoteWrite.urlRelabelConfig=${file}`);
    });
    const port = await freePort();
    await using vmagent = new Proc("vmagent", [
      "vmagent",
      `-httpListenAddr=127.0.0.1:${port}`,
      `-remoteWrite.tmpDataPath=${join(dir.path, "q")}`,
      "-remoteWrite.flushInterval=100ms",
      "-loggerLevel=ERROR",
      ...args,
    ]);
    await waitFor("vmagent /health", async () => {
      if (vmagent.proc.exitCode !== null) return true;
      return (await fetch(`http://127.0.0.1:${port}/health`)).ok;
    });
    if (vmagent.proc.exitCode !== null) throw new Error(`vmagent exited early: ${vmagent.output}`);
    // One series per request: v1.79.5 matched `if` against the labels of every series in the
    // request, not just the current one (fixed in v1.93.0, issue #4806); alone, a series is
    // judged on its own labels as the current vmagent does.
    const ts = Date.now();
    for (const metric of SERIES) {
      const body = JSON.stringify({ metric, values: [1], timestamps: [ts] });
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/import`, { method: "POST", body });
      expect(res.status).toBe(204);
    }

    const want = cases.map(expected);
    const got = async (): Promise<string[][]> => {
      const all = await vm.export('{case=~".+"}');
      const byCase: string[][] = cases.map(() => []);
      for (const s of all) {
        const l = Labels.fromObject(s.metric);
        byCase[Number(l.get("case"))]!.push(l.toString());
      }
      return byCase.map((a) => a.sort());
    };
    try {
      await waitFor("vmagent output to match", async () => Bun.deepEquals(await got(), want), 15_000);
    } catch {
      // Fall through to a readable diff.
    }
    const actual = await got();
    for (let i = 0; i < cases.length; i++) {
      expect({ case: i, series: actual[i] }).toEqual({ case: i, series: want[i]! });
    }
  }, 60_000);
});
