/**
 * Import endpoints (`/api/v1/import`, `/api/v1/import/csv`,
 * `/api/v1/import/prometheus`): the same corpora through the real vmagent
 * v1.79.5 and through Drover, each into its own VictoriaMetrics, must export
 * the same series; plus HTTP status checks.
 *
 * A local export reader is used instead of differential() because
 * VictoriaMetrics exports ±Inf as bare `+Inf`/`-Inf`, which JSON.parse
 * rejects, and because one environment serves all three protocols.
 *
 * Deliberate differences (documented in the parsers), kept out of the
 * compared corpora and covered by unit tests instead:
 * - JSON lines: `null` and strings like "NaN"/"Inf" as values are accepted
 *   (later VictoriaMetrics), v1.79.5 rejects the line;
 * - JSON lines longer than -import.maxLineLen are skipped; v1.79.5 fails the
 *   rest of the request;
 * - Prometheus text: a NaN/huge timestamp rejects the line (counted in
 *   vm_rows_invalid_total); v1.79.5 forwards it with timestamp -2^63, which
 *   VictoriaMetrics drops. The exports agree; the invalid counter differs by
 *   one per such line.
 * - Pushgateway-style paths are not served (neither does v1.79.5).
 *
 * @module
 */

import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { Drover, have, tempDir, VictoriaMetrics, VmAgent, waitFor } from "./_harness.ts";
import { CASES } from "../protocols/csvimport/testdata.ts";
import { ADVERSARIAL, REALISTIC } from "../protocols/prometheus/testdata.ts";
import { COMMON } from "../protocols/vmimport/testdata.ts";

const PROM_TS = 1700000000000;

interface Req {
  path: string;
  body: string;
  gzip?: boolean;
}

/** What both agents receive; CSV cases without a time column use `now_` metric names (timestamps masked). */
function corpus(): Req[] {
  const reqs: Req[] = [];
  reqs.push({ path: `/api/v1/import/prometheus?timestamp=${PROM_TS}`, body: REALISTIC });
  reqs.push({
    path: `/api/v1/import/prometheus?timestamp=${PROM_TS}&extra_label=src=prom`,
    body: ADVERSARIAL.join("\n") + "\n",
  });
  reqs.push({ path: `/api/v1/import/prometheus?timestamp=${PROM_TS}`, body: ADVERSARIAL.join("\r\n"), gzip: true });
  reqs.push({ path: "/api/v1/import", body: COMMON.join("\n") + "\n" });
  reqs.push({ path: "/api/v1/import?extra_label=src=json", body: COMMON.join("\n"), gzip: true });
  for (const [format, body] of CASES) {
    const timed = format.includes(":time:");
    const f = timed ? format : format.replaceAll(":metric:", ":metric:now_");
    reqs.push({ path: `/api/v1/import/csv?format=${encodeURIComponent(f)}`, body });
  }
  return reqs;
}

async function send(base: string, r: Req): Promise<Response> {
  const body = r.gzip ? gzipSync(r.body) : r.body;
  return fetch(base + r.path, { method: "POST", body, headers: r.gzip ? { "Content-Encoding": "gzip" } : {} });
}

/** Canonical export: labels sorted, samples sorted, request-time timestamps masked; tolerant of ±Inf/NaN tokens. */
async function exportOf(vm: VictoriaMetrics): Promise<string[]> {
  await fetch(`${vm.url}/internal/force_flush`);
  const res = await fetch(`${vm.url}/api/v1/export?match[]=${encodeURIComponent('{__name__=~".+"}')}`);
  const text = await res.text();
  const out: string[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const fixed = line.replace(/([[,])([+-]?Inf|NaN)(?=[,\]])/g, '$1"$2"');
    const s = JSON.parse(fixed) as {
      metric: Record<string, string>;
      values: (number | string)[];
      timestamps: number[];
    };
    const metric = Object.fromEntries(Object.entries(s.metric).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const mask = (s.metric.__name__ ?? "").startsWith("now_");
    // Rows that fell back to the request time (time 0, 1970 by accident) differ by a few ms between agents.
    const now = Date.now();
    const tsOf = (t: number) => (mask || Math.abs(t - now) < 600_000 ? "now" : String(t));
    const pairs = s.values.map((v, i) => `${tsOf(s.timestamps[i]!)}=${v}`).sort();
    out.push(JSON.stringify({ metric, pairs }));
  }
  return out.sort();
}

async function stableExport(vm: VictoriaMetrics): Promise<string[]> {
  let last = "";
  let since = Date.now();
  let result: string[] = [];
  await waitFor(
    "a stable export",
    async () => {
      result = await exportOf(vm);
      const key = result.join("\n");
      if (key !== last) {
        last = key;
        since = Date.now();
      }
      return result.length > 0 && Date.now() - since > 1500;
    },
    30_000,
  );
  return result;
}

async function metricValue(base: string, key: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  for (const line of text.split("\n")) if (line.startsWith(key + " ")) return Number(line.slice(key.length + 1));
  return 0;
}

describe.skipIf(!have("victoria-metrics") || !have("vmagent"))("import endpoints", () => {
  test("same exports as vmagent v1.79.5", async () => {
    await using vmA = await VictoriaMetrics.start();
    await using vmD = await VictoriaMetrics.start();
    await using agent = await VmAgent.start([`-remoteWrite.url=${vmA.writeURL}`]);
    using dir = tempDir();
    await using drover = await Drover.start([
      `-remoteWrite.url=${vmD.writeURL}`,
      `-remoteWrite.tmpDataPath=${dir.path}`,
    ]);
    const reqs = corpus();
    for (const r of reqs) {
      const [a, d] = await Promise.all([send(agent.url, r), send(drover.url, r)]);
      const [ta, td] = await Promise.all([a.text(), d.text()]);
      // Same status for every request (400 for the bad CSV formats, 204 otherwise).
      expect({ path: r.path, status: d.status }).toEqual({ path: r.path, status: a.status });
      if (a.status !== 204) expect(td).not.toBe("");
      else expect(ta).toBe("");
    }
    const [ea, ed] = await Promise.all([stableExport(vmA), stableExport(vmD)]);
    expect(ed.length).toBeGreaterThan(50);
    expect(ed).toEqual(ea);

    // Rejected rows are counted alike (Drover also rejects `ts_nan 8 NaN`, sent twice).
    for (const [type, extra] of [["csvimport", 0], ["vmimport", 0], ["prometheus", 2]] as const) {
      const key = `vm_rows_invalid_total{type="${type}"}`;
      const want = await metricValue(agent.url, key);
      expect({ type, n: await metricValue(drover.url, key) }).toEqual({ type, n: want + extra });
    }
  }, 120_000);

  test("HTTP status and messages", async () => {
    using dir = tempDir();
    await using vm = await VictoriaMetrics.start();
    await using drover = await Drover.start([
      `-remoteWrite.url=${vm.writeURL}`,
      `-remoteWrite.tmpDataPath=${dir.path}`,
    ]);
    const f = async (path: string, body: string, status: number, message = "", gzip = false) => {
      const res = await send(drover.url, { path, body, gzip });
      const text = await res.text();
      expect({ path, status: res.status }).toEqual({ path, status });
      if (message !== "") expect(text).toContain(message);
    };
    await f("/api/v1/import/csv?format=1:metric:http_csv", "1\n", 204);
    await f("/api/v1/import/csv?format=1:metric:http_csv", "1\n", 204, "", true);
    await f("/api/v1/import/csv", "1\n", 400, "must have the following form");
    await f("/api/v1/import/csv?format=1:label:x", "1\n", 400, "Missing 'metric' column");
    await f(
      "/api/v1/import/csv?format=1:metric:x,2:time:unix_h",
      "1\n",
      400,
      'Unknown format for time parsing: "unix_h"',
    );
    await f("/api/v1/import", '{"metric":{"__name__":"http_json"},"values":[1],"timestamps":[1700000000000]}\n', 204);
    await f("/api/v1/import", "garbage\n", 204);
    await f("/api/v1/import/prometheus", "http_prom 1\n", 204, "", true);
    await f("/api/v1/import/prometheus?timestamp=abc", "http_prom 1\n", 400, "timestamp=abc");
    await f("/api/v1/import/prometheus?extra_label=novalue", "http_prom 1\n", 400);
    await f("/api/v1/import/prometheus/metrics/job/x", "http_prom 1\n", 400);
    await waitFor("samples", async () => (await vm.sampleCount('{__name__=~"http_.*"}')) >= 4);
    expect(await drover.metric('vmagent_rows_inserted_total{type="csvimport"}')).toBe(2);
    expect(await drover.metric('vm_rows_invalid_total{type="vmimport"}')).toBe(1);
  }, 120_000);
});
