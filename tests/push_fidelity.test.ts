/**
 * Push behaviours that used to differ from vmagent v1.79.5 (issue 15), each
 * sent through the real vmagent and through Drover into separate
 * victoria-metrics and compared series by series and status by status:
 * - a body shorter than its Content-Length (or a chunked body cut short),
 *   followed by the client closing its write side, gets 400 at once on
 *   every HTTP listener (vmagent keeps the lines before the cut, Drover
 *   none: see docs/compatibility.md);
 * - a remote-write body whose Content-Encoding does not match (snappy
 *   labelled gzip, zstd or an unknown name) is read as snappy;
 * - a remote-write body with metadata, unknown fields and groups is relayed
 *   re-encoded, never verbatim (checked on the bytes Drover sends);
 * - OpenTSDB HTTP puts on any path of both OpenTSDB listeners;
 * - an unknown Content-Encoding (e.g. `br`) on DataDog and the other text
 *   protocols is ignored and the body read as it is, and counted;
 * - `extra_label` with an empty name is accepted (vmagent forwards the
 *   label, and VictoriaMetrics takes its value as the metric name; Drover
 *   drops it, see docs/compatibility.md).
 *
 * @module
 */

import { describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { snappyCompress, snappyDecompress } from "../protocols/_shared/snappy.ts";
import { decodeWriteRequest } from "../protocols/promremotewrite/decode.ts";
import { assertCanonical, uncleanWriteRequest } from "../protocols/promremotewrite/_wire_testing.ts";
import { type AgentRole, differential, Drover, have, makeWriteRequest, tempDir, waitFor } from "./_harness.ts";
import { portsPerAgent } from "./_line_clients.ts";

const READY = have("victoria-metrics") && have("vmagent");
const T = 1_700_000_000;
const enc = new TextEncoder();

/** POSTs and returns the status (error texts differ between the agents). */
async function status(url: string, body: string | Uint8Array, headers: Record<string, string> = {}): Promise<number> {
  const res = await fetch(url, { method: "POST", body, headers });
  await res.arrayBuffer();
  return res.status;
}

/**
 * Sends `raw` on a new connection, half-closes, and returns the status of
 * the answer (0 when none came within 5 s) and the milliseconds it took.
 */
function cutShort(port: number, raw: string): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const s = connect(port, "127.0.0.1");
    let out = "";
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(out)?.[1] ?? 0), ms: Date.now() - t0 });
    };
    const timer = setTimeout(done, 5000);
    s.on("connect", () => s.end(raw));
    s.on("data", (d) => {
      out += d.toString("latin1");
      if (out.includes("\r\n\r\n")) done();
    });
    s.on("close", done);
    s.on("error", reject);
  });
}

/** Runs `send` through both agents; returns both exports and each agent's statuses. */
async function compare(opts: {
  send: (base: string, role: AgentRole) => Promise<number[]>;
  perAgentArgs?: (role: AgentRole) => Promise<string[]>;
  droverArgs?: string[];
  expectSamples?: number;
}): Promise<{ vmagent: string[]; drover: string[]; statuses: Record<AgentRole, number[]> }> {
  const statuses: Record<AgentRole, number[]> = { vmagent: [], drover: [] };
  const res = await differential({
    agentArgs: [],
    ...(opts.droverArgs !== undefined ? { droverArgs: opts.droverArgs } : {}),
    ...(opts.perAgentArgs !== undefined ? { perAgentArgs: opts.perAgentArgs } : {}),
    ...(opts.expectSamples !== undefined ? { expectSamples: opts.expectSamples } : {}),
    send: async (base, role) => void (statuses[role] = await opts.send(base, role)),
  });
  return { ...res, statuses };
}

describe.skipIf(!READY)("push fidelity vs vmagent v1.79.5", () => {
  test("a body that ends early gets 400 at once on every HTTP listener", async () => {
    const http = portsPerAgent("opentsdbHTTPListenAddr");
    const telnet = portsPerAgent("opentsdbListenAddr");
    const timings: Record<AgentRole, number[]> = { vmagent: [], drover: [] };
    const r = await compare({
      expectSamples: 1,
      perAgentArgs: async (role) => [...(await http.args(role)), ...(await telnet.args(role))],
      send: async (base, role) => {
        const main = Number(new URL(base).port);
        const cases: [number, string, string][] = [
          [main, "/api/v1/write", "Content-Type: application/x-protobuf\r\nContent-Encoding: snappy"],
          [main, "/write", "Content-Type: text/plain"],
          [main, "/api/v1/import/prometheus", "Content-Type: text/plain"],
          [main, "/datadog/api/v1/series", "Content-Type: application/json"],
          [http.port(role), "/api/put", "Content-Type: application/json"],
          [telnet.port(role), "/api/put", "Content-Type: application/json"],
        ];
        const out: number[] = [];
        for (const [port, path, h] of cases) {
          const partial = path === "/write" ? `cut_short f=1 ${T}000000000\ncut_sh` : '{"metric":';
          const res = await cutShort(
            port,
            `POST ${path} HTTP/1.1\r\nHost: x\r\n${h}\r\nContent-Length: 1000\r\n\r\n${partial}`,
          );
          out.push(res.status);
          timings[role].push(res.ms);
        }
        // A chunked body cut off inside a chunk.
        const chunked = await cutShort(
          main,
          `POST /write HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n100\r\ncut_chunked f=1 ${T}000000000\n`,
        );
        out.push(chunked.status);
        timings[role].push(chunked.ms);
        // Then a good request, so that the export is known to be complete.
        out.push(await status(`${base}/write`, `after_cut f=1 ${T}000000000`));
        return out;
      },
    });
    expect(r.statuses.vmagent).toEqual([400, 400, 400, 400, 400, 400, 400, 204]);
    expect(r.statuses.drover).toEqual(r.statuses.vmagent);
    for (const ms of timings.drover) expect(ms).toBeLessThan(2000);
    // Deliberate difference (docs/compatibility.md), as for a truncated gzip body: a request that failed stores
    // nothing in Drover, while vmagent has already stored the whole lines it parsed before the cut.
    const names = (xs: string[]) => xs.map((x) => JSON.parse(x).metric.__name__ as string);
    expect(names(r.drover)).toEqual(["after_cut_f"]);
    expect(names(r.vmagent)).toEqual(["after_cut_f", "cut_chunked_f", "cut_short_f"]);
  }, 60_000);

  test("remote write with a mismatched or unknown Content-Encoding is read as snappy", async () => {
    const encodings = ["gzip", "zstd", "deflate", "br", "x-unknown"];
    const r = await compare({
      expectSamples: encodings.length * 3,
      send: async (base) => {
        const out: number[] = [];
        for (const ce of encodings) {
          const body = makeWriteRequest({ prefix: `ce_${ce.replace("-", "_")}`, series: 3 });
          out.push(await status(`${base}/api/v1/write`, body, { "Content-Encoding": ce }));
        }
        // A body that is neither what it says nor snappy still fails.
        out.push(await status(`${base}/api/v1/write`, enc.encode("not snappy"), { "Content-Encoding": "gzip" }));
        return out;
      },
    });
    expect(r.statuses.vmagent).toEqual([...encodings.map(() => 204), 400]);
    expect(r.statuses.drover).toEqual(r.statuses.vmagent);
    expect(r.drover).toEqual(r.vmagent);
    expect(r.vmagent.length).toBe(encodings.length * 3);
  }, 60_000);

  test("remote write with metadata, unknown fields and groups: same series", async () => {
    const t0 = Date.now() - 60_000;
    const r = await compare({
      expectSamples: 3,
      send: async (base) => [
        await status(`${base}/api/v1/write`, snappyCompress(uncleanWriteRequest("odd_one", "odd_two", t0).body), {
          "Content-Encoding": "snappy",
        }),
      ],
    });
    expect(r.statuses).toEqual({ vmagent: [204], drover: [204] });
    expect(r.drover).toEqual(r.vmagent);
    expect(r.vmagent.length).toBe(2);
  }, 60_000);

  test("OpenTSDB HTTP puts on any path of -opentsdbHTTPListenAddr and of the telnet port", async () => {
    const http = portsPerAgent("opentsdbHTTPListenAddr");
    const telnet = portsPerAgent("opentsdbListenAddr");
    const paths = ["/", "/api/put/", "/foo/bar", "/opentsdb/api/put", "/api/put?details"];
    const r = await compare({
      expectSamples: paths.length * 2,
      perAgentArgs: async (role) => [...(await http.args(role)), ...(await telnet.args(role))],
      send: async (_base, role) => {
        const out: number[] = [];
        for (const [kind, port] of [["http", http.port(role)], ["telnet", telnet.port(role)]] as const) {
          for (const [i, path] of paths.entries()) {
            const body = `{"metric":"anypath.${kind}","value":${i},"timestamp":${T + i},"tags":{"p":"${i}"}}`;
            out.push(await status(`http://127.0.0.1:${port}${path}`, body));
          }
        }
        return out;
      },
    });
    expect(r.statuses.vmagent).toEqual(paths.flatMap(() => [204, 204]));
    expect(r.statuses.drover).toEqual(r.statuses.vmagent);
    expect(r.drover).toEqual(r.vmagent);
  }, 60_000);

  test(
    "an unknown Content-Encoding on DataDog and text protocols: the body is read as it is, and counted",
    async () => {
      const unknown: Record<AgentRole, number> = { vmagent: 0, drover: 0 };
      const dd = `{"series":[{"metric":"dd.br","points":[[${T},1]],"tags":["a:b"],"host":"h"}]}`;
      const r = await compare({
        expectSamples: 4,
        droverArgs: ["-datadog.sanitizeMetricName=false"],
        send: async (base, role) => {
          const h = { "Content-Encoding": "br" };
          const out = [
            await status(`${base}/datadog/api/v1/series`, dd, h),
            await status(`${base}/write`, `influx_br,t=1 f=2 ${T}000000000`, h),
            await status(`${base}/api/v1/import/prometheus`, `prom_br{a="b"} 3 ${T}000`, h),
            await status(
              `${base}/api/v1/import`,
              `{"metric":{"__name__":"vm_br"},"values":[4],"timestamps":[${T}000]}`,
              h,
            ),
          ];
          if (role === "drover") {
            const d = await fetch(`${base}/metrics`).then((res) => res.text());
            const m = d.match(/^drover_http_unknown_content_encoding_total\{[^}]*datadog[^}]*\} (\d+)$/m);
            unknown.drover = Number(m?.[1] ?? 0);
          }
          return out;
        },
      });
      expect(r.statuses.vmagent).toEqual([202, 204, 204, 204]);
      expect(r.statuses.drover).toEqual(r.statuses.vmagent);
      expect(r.drover).toEqual(r.vmagent);
      expect(unknown.drover).toBe(1);
    },
    60_000,
  );

  test("extra_label with an empty name is accepted and the label dropped; one without '=' is refused", async () => {
    const r = await compare({
      expectSamples: 3,
      send: async (base) => [
        await status(`${base}/write?extra_label==v&extra_label=env=x`, `xl_influx,t=1 f=1 ${T}000000000`),
        await status(`${base}/api/v1/write?extra_label==v`, makeWriteRequest({ prefix: "xl_rw", series: 1 })),
        await status(`${base}/api/v1/import/prometheus?extra_label==`, `xl_prom 3 ${T}000`),
        await status(`${base}/write?extra_label=noequals`, `xl_refused f=1 ${T}000000000`),
      ],
    });
    expect(r.statuses.vmagent).toEqual([204, 204, 204, 400]);
    expect(r.statuses.drover).toEqual(r.statuses.vmagent);
    // Deliberate difference (docs/compatibility.md): vmagent forwards the empty-named label, and VictoriaMetrics
    // then takes its value as the metric name; Drover drops it. Everything else arrives the same.
    const names = (xs: string[]) => xs.map((x) => JSON.parse(x).metric.__name__ as string).sort();
    const rest = (xs: string[]) =>
      xs.map((x) => {
        const { metric: { __name__: _, ...labels }, samples } = JSON.parse(x);
        return JSON.stringify({ labels, samples });
      }).sort();
    expect(names(r.drover)).toEqual(["xl_influx_f", "xl_prom", "xl_rw_metric"]);
    expect(names(r.vmagent)).toEqual(["v", "v", "xl_prom"]);
    expect(rest(r.drover)).toEqual(rest(r.vmagent));
  }, 60_000);
});

describe.skipIf(!have("victoria-metrics"))("relay bytes", () => {
  test(
    "a request with metadata, unknown fields or groups is re-encoded; a clean one is forwarded verbatim",
    async () => {
      const bodies: Uint8Array[] = [];
      using remote = Bun.serve({
        hostname: "127.0.0.1",
        port: 0,
        async fetch(req) {
          bodies.push(snappyDecompress(new Uint8Array(await req.arrayBuffer()), 1 << 26));
          return new Response(null, { status: 204 });
        },
      });
      using dir = tempDir();
      await using d = await Drover.start([
        `-remoteWrite.url=http://127.0.0.1:${remote.port}/api/v1/write`,
        `-remoteWrite.tmpDataPath=${dir.path}`,
      ]);
      const { body } = uncleanWriteRequest("odd_one", "odd_two");
      expect((await d.write(snappyCompress(body))).status).toBe(204);
      await waitFor("the unclean request at the remote", () => bodies.length >= 1);
      const clean = makeWriteRequest({ prefix: "clean", series: 2 });
      expect((await d.write(clean)).status).toBe(204);
      await waitFor("the clean request at the remote", () => bodies.length >= 2);
      assertCanonical(bodies[0]!);
      expect(decodeWriteRequest(bodies[0]!).map((s) => [s.labels[0]![1], s.samples.length])).toEqual([
        ["odd_one", 2],
        ["odd_two", 1],
      ]);
      expect(bodies[1]).toEqual(snappyDecompress(clean, 1 << 26));
    },
    60_000,
  );
});
