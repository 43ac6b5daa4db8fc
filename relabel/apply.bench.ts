/**
 * Relabeling throughput: a typical `metric_relabel_configs` set applied to 10k series of 10
 * labels, reported as series/s and rule applications/s.
 *
 * Run: bun relabel/apply.bench.ts [--rounds=50]
 *
 * Each round walks all series; the input is copied into one reused `Labels` per series, as a
 * parser filling a scratch label set would. Regex caches are warm after the first round, which is
 * the steady state of repeated scrapes of the same targets.
 *
 * @module
 */

import YAML from "yaml";
import { applyRelabeling, Labels, parseRelabelConfigs } from "./apply.ts";

const rounds = Number(process.argv.find((a) => a.startsWith("--rounds="))?.split("=")[1] ?? 50);
const SERIES = 10_000;

const SETS: Record<string, string> = {
  "typical (drop by name, labeldrop, replace)": `
- {action: drop, source_labels: [__name__], regex: "go_.*|process_.*|scrape_.*_bucket"}
- {action: labeldrop, regex: "pod_template_hash|controller_revision_hash"}
- {source_labels: [instance], regex: "([^:]+):\\\\d+", target_label: host, replacement: "$1"}
`,
  "heavier (if, keep_metrics, labelmap, hashmod, regex fallback)": `
- {action: keep_metrics, regex: ["http_.+", "node_.+", "app_.+", "go_.+"]}
- {action: drop, if: '{env="dev", namespace=~"kube-.*"}'}
- {action: labelmap, regex: "label_(.+)"}
- {action: replace, source_labels: [path], regex: "/api/v[0-9]+/([a-z]+)/.*", target_label: endpoint}
- {action: hashmod, source_labels: [instance], target_label: __tmp_shard, modulus: 4}
- {action: labeldrop, regex: "label_.*"}
`,
};

function makeInput(): Labels[] {
  const names = [
    "http_requests_total",
    "node_cpu_seconds_total",
    "go_gc_duration_seconds",
    "app_latency_bucket",
    "process_open_fds",
    "scrape_duration_bucket",
  ];
  const out: Labels[] = [];
  for (let i = 0; i < SERIES; i++) {
    out.push(Labels.fromPairs([
      ["__name__", names[i % names.length]!],
      ["job", `job-${i % 7}`],
      ["instance", `10.0.${(i >> 8) & 255}.${i & 255}:9100`],
      ["namespace", i % 5 === 0 ? "kube-system" : `ns-${i % 13}`],
      ["pod", `pod-${i}`],
      ["pod_template_hash", `h${i % 97}`],
      ["env", i % 3 === 0 ? "dev" : "prod"],
      ["path", `/api/v1/${["users", "orders", "items"][i % 3]}/${i}`],
      ["label_team", `team-${i % 11}`],
      ["status", String(200 + (i % 5))],
    ]));
  }
  return out;
}

const input = makeInput();
const scratch = new Labels(32);
{
  // Baseline: copying the input into the scratch set, which any caller pays anyway.
  const t0 = Bun.nanoseconds();
  for (let r = 0; r < rounds; r++) for (let i = 0; i < input.length; i++) scratch.copyFrom(input[i]!);
  console.log(`baseline copy: ${((Bun.nanoseconds() - t0) / (SERIES * rounds)).toFixed(0)} ns/series`);
}
for (const [name, yaml] of Object.entries(SETS)) {
  const rules = parseRelabelConfigs(YAML.parse(yaml), "metric_relabel_configs");
  let kept = 0;
  const run = () => {
    kept = 0;
    for (let i = 0; i < input.length; i++) {
      scratch.copyFrom(input[i]!);
      if (applyRelabeling(rules, scratch)) kept++;
    }
  };
  for (let i = 0; i < 5; i++) run(); // warm up JIT and regex caches
  Bun.gc(true);
  const t0 = Bun.nanoseconds();
  for (let r = 0; r < rounds; r++) run();
  const secs = (Bun.nanoseconds() - t0) / 1e9;
  const seriesPerSec = (SERIES * rounds) / secs;
  console.log(
    `${name}: ${rules.rules.length} rules, ${(seriesPerSec / 1e6).toFixed(2)}M series/s, ` +
      `${((seriesPerSec * rules.rules.length) / 1e6).toFixed(1)}M rule applications/s, ` +
      `${((secs / (SERIES * rounds)) * 1e9).toFixed(0)} ns/series, kept ${kept}/${SERIES}`,
  );
}
