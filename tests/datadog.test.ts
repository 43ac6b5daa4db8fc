/**
 * DataDog end to end: v1 series through the real vmagent v1.79.5 and
 * through Drover (differential), the agent's stub endpoints, and v2 series
 * (JSON and protobuf) through Drover into a real VictoriaMetrics.
 *
 * `/datadog/api/v2/series` does not exist in vmagent v1.79.5 (it answers 400
 * "unsupported path"), so v2 is checked against the mapping of current vmagent
 * (lib/protoparser/datadogv2, app/vmagent/datadogv2) only; no differential.
 *
 * Deliberate differences from vmagent v1.79.5 (kept out of the differential
 * corpora, each tested below against Drover alone):
 * - metric names are sanitized by default (`-datadog.sanitizeMetricName`,
 *   v1.82.0+); the differential runs Drover with it off;
 * - a series' `device` field becomes a `device` label (current vmagent;
 *   v1.79.5 ignores it);
 * - `/datadog/api/v1/series` answers 405 to methods other than POST/PUT
 *   (vmagent reads any method's body, so a GET gets its 400 JSON error);
 * - error texts differ (both are 400 text/plain);
 * - a series field that is absent or `null` (and a `null` point or series) is
 *   empty/zero in Drover, as in vmagent ≥ v1.85.0; v1.79.5 reuses pooled
 *   structs without resetting them, so such fields keep values from an
 *   earlier request (VictoriaMetrics issue 3432) — see testdata.ts QUIRKS;
 * - v2: protobuf vs JSON is decided by sniffing the body (the framework does
 *   not pass Content-Type to parsers), see protocols/datadogv2/parse.ts.
 *
 * @module
 */

import { describe, expect, test } from "bun:test";
import protobuf from "protobufjs";
import { deflateSync } from "node:zlib";
import { INVALID, SEEDS, TIMED, UNTIMED } from "../protocols/datadog/testdata.ts";
import { agentPayloadV2, encodeMetricPayload } from "../protocols/datadogv2/testdata.ts";
import { type AgentRole, differential, Drover, have, tempDir, VictoriaMetrics, waitFor } from "./_harness.ts";

const skip = !have("victoria-metrics") || !have("vmagent");
const enc = new TextEncoder();

async function post(url: string, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(url, { method: "POST", body, headers });
  const text = await res.text();
  // Error texts differ between vmagent and Drover; success bodies must not.
  return `${res.status} ${res.headers.get("content-type")} ${res.status < 300 ? text : ""}`;
}

describe.skipIf(skip)("datadog v1: differential against vmagent v1.79.5", () => {
  test("timestamped corpus: plain, gzip, deflate, extra_label; invalid bodies get 400", async () => {
    const statuses: Record<AgentRole, string[]> = { vmagent: [], drover: [] };
    const utf8Seed = SEEDS[SEEDS.length - 1]!;
    const res = await differential({
      agentArgs: [],
      droverArgs: ["-datadog.sanitizeMetricName=false"],
      send: async (base, role) => {
        const url = `${base}/datadog/api/v1/series`;
        const st = statuses[role];
        for (const body of TIMED) st.push(await post(url, body));
        st.push(await post(url, utf8Seed));
        st.push(await post(`${url}?extra_label=env=extra&extra_label=dc=x`, TIMED[1]!.replace("m.one", "m.extra")));
        st.push(
          await post(url, Bun.gzipSync(enc.encode(TIMED[0]!.replaceAll("system.cpu", "gz.cpu"))), {
            "Content-Encoding": "gzip",
          }),
        );
        st.push(
          await post(url, deflateSync(enc.encode(TIMED[0]!.replaceAll("system.cpu", "df.cpu"))), {
            "Content-Encoding": "deflate",
          }),
        );
        for (const body of INVALID) st.push(await post(url, body));
      },
    });
    expect(res.vmagent.length).toBeGreaterThan(60);
    expect(res.drover).toEqual(res.vmagent);
    expect(statuses.drover).toEqual(statuses.vmagent);
    expect(statuses.vmagent[0]).toBe('202 application/json {"status":"ok"}');
    expect(statuses.vmagent.filter((s) => s.startsWith("400"))).toHaveLength(INVALID.length);
  }, 90_000);

  test("points without timestamps (masked)", async () => {
    const res = await differential({
      agentArgs: [],
      droverArgs: ["-datadog.sanitizeMetricName=false"],
      maskTimestamps: true,
      send: async (base) => {
        for (const body of UNTIMED) expect(await post(`${base}/datadog/api/v1/series`, body)).toStartWith("202");
      },
    });
    expect(res.vmagent.length).toBe(2);
    expect(res.drover).toEqual(res.vmagent);
  }, 90_000);

  test("stub endpoints answer as vmagent's", async () => {
    const paths = [
      "/datadog/api/v1/validate",
      "/datadog/api/v1/check_run",
      "/datadog/intake",
      "/datadog/api/v1/metadata",
      "/datadog/intake/",
      "/datadog/api/v1/validate/",
    ];
    const answers: Record<AgentRole, string[]> = { vmagent: [], drover: [] };
    await differential({
      agentArgs: [],
      send: async (base, role) => {
        for (const path of paths) {
          for (const method of ["GET", "POST"]) {
            const r = await fetch(`${base}${path}`, method === "POST" ? { method, body: "{}" } : {});
            const text = await r.text();
            answers[role].push(
              `${method} ${path} ${r.status} ${r.headers.get("content-type")} ${r.status < 300 ? text : ""}`,
            );
          }
        }
        // something for the harness to wait on
        await post(`${base}/datadog/api/v1/series`, `{"series":[{"metric":"stub","points":[[1700000000,1]]}]}`);
      },
    });
    expect(answers.drover).toEqual(answers.vmagent);
    expect(answers.vmagent).toContain('GET /datadog/api/v1/validate 200 application/json {"valid":true}');
  }, 90_000);
});

const root = protobuf.loadSync(new URL("../protocols/datadogv2/series.proto", import.meta.url).pathname);
const MetricPayload = root.lookupType("datadog.agentpayload.MetricPayload");

describe.skipIf(!have("victoria-metrics"))("datadog through Drover into VictoriaMetrics", () => {
  test("v2 JSON and protobuf, v1 device label and default name sanitizing", async () => {
    using dir = tempDir();
    await using vm = await VictoriaMetrics.start();
    await using d = await Drover.start([`-remoteWrite.url=${vm.writeURL}`, `-remoteWrite.tmpDataPath=${dir.path}`]);
    const v2 = `${d.url}/datadog/api/v2/series`;
    const ok = '202 application/json {"status":"ok"}';
    expect(await post(v2, agentPayloadV2(10), { "Content-Type": "application/json" })).toBe(ok);
    const pb = MetricPayload.encode(
      MetricPayload.fromObject({
        series: [
          {
            metric: "pb.metric-name",
            resources: [{ type: "host", name: "h1" }, { type: "kube_pod", name: "p1" }],
            tags: ["env:prod", "host:other", "bare"],
            points: [{ value: 1.5, timestamp: 1700000000 }, { value: 2.5, timestamp: 1700000010 }],
            sourceTypeName: "System",
            type: 3,
          },
        ],
      }),
    ).finish();
    expect(await post(v2, pb, { "Content-Type": "application/x-protobuf" })).toBe(ok);
    expect(
      await post(
        v2,
        Bun.gzipSync(encodeMetricPayload([{ metric: "pb.gz", points: [[1700000000, 7]] }]) as Uint8Array<ArrayBuffer>),
        { "Content-Encoding": "gzip", "Content-Type": "application/x-protobuf" },
      ),
    ).toBe(ok);
    expect(await post(`${v2}?extra_label=team=a`, `{"series":[{"metric":"v2.now","points":[{"value":3}]}]}`)).toBe(ok);
    expect(await post(v2, `{"series":[{"metric":"bad","points":[{"timestamp":1.5}]}]}`)).toStartWith("400 text/plain");
    expect(await post(v2, new Uint8Array([0x0a, 0x05, 0x12]))).toStartWith("400 text/plain");
    const v1 = `${d.url}/datadog/api/v1/series`;
    expect(
      await post(v1, `{"series":[{"metric":"disk in.use","device":"sda1","host":"h","points":[[1700000000,0.5]]}]}`),
    ).toBe(ok);
    expect((await fetch(v1)).status).toBe(405);

    await waitFor("all samples", async () => (await vm.sampleCount()) === 20 + 2 + 1 + 1 + 1);
    const one = async (match: string) => {
      const s = await vm.export(match);
      expect(s).toHaveLength(1);
      return s[0]!;
    };
    expect(await one('{__name__="pb.metric_name"}')).toEqual({
      metric: {
        __name__: "pb.metric_name",
        host: "h1",
        kube_pod: "p1",
        source_type_name: "System",
        env: "prod",
        exported_host: "other",
        bare: "no_label_value",
      },
      values: [1.5, 2.5],
      timestamps: [1700000000000, 1700000010000],
    });
    expect((await one('{__name__="system.net.bytes_rcvd.3"}')).metric).toEqual({
      __name__: "system.net.bytes_rcvd.3",
      host: "host-3",
      env: "prod",
      service: "web-3",
      device: "eth0",
      role: "db",
    });
    expect((await one('{__name__="pb.gz"}')).values).toEqual([7]);
    const now = await one('{__name__="v2.now"}');
    expect(now.metric).toEqual({ __name__: "v2.now", team: "a" });
    expect(Math.abs(now.timestamps[0]! - Date.now())).toBeLessThan(60_000);
    expect((await one('{__name__="disk_in.use"}')).metric).toEqual({
      __name__: "disk_in.use",
      host: "h",
      device: "sda1",
    });
    expect(await d.metric('vmagent_rows_inserted_total{type="datadogv2"}')).toBe(24);
    expect(await d.metric('vmagent_rows_inserted_total{type="datadog"}')).toBe(1);
  }, 60_000);
});
