/**
 * InfluxDB line protocol end to end: the same corpora through the real
 * vmagent v1.79.5 and through Drover, compared series by series, plus
 * Drover's HTTP answers.
 *
 * Deliberate differences from vmagent v1.79.5 (not exercised by the
 * differential corpora):
 * - `/influx/write`, `/influx/api/v2/write` and `/influx/query` are served
 *   (vmagent added them later; v1.79.5 answers 400 "unsupported path").
 * - A line longer than `-influx.maxLineSize` is skipped and counted in
 *   `vm_rows_invalid_total{type="influx"}`; vmagent v1.79.5 notices such a line
 *   only when a 64 KiB read holds no newline and then fails the request with
 *   400 after ingesting the lines before it.
 * - Bodies may also be deflate/snappy/zstd encoded (vmagent: gzip only).
 *
 * @module
 */

import { describe, expect, test } from "bun:test";
import { databaseNamesBody } from "../protocols/influx/handler.ts";
import { ADVERSARIAL, CLIENT_JS, CRLF, NO_TS, NON_FINITE, TELEGRAF } from "../protocols/influx/testdata.ts";
import {
  type AgentRole,
  canonical,
  differential,
  Drover,
  type ExportedSeries,
  have,
  tempDir,
  VictoriaMetrics,
  VmAgent,
  waitFor,
} from "./_harness.ts";

interface Req {
  path: string;
  body: string;
  gzip?: boolean;
}

async function sendAll(base: string, reqs: readonly Req[]): Promise<void> {
  for (const r of reqs) {
    const headers: Record<string, string> = {};
    let body: string | Uint8Array<ArrayBuffer> = r.body;
    if (r.gzip === true) {
      body = Bun.gzipSync(new TextEncoder().encode(r.body));
      headers["Content-Encoding"] = "gzip";
    }
    const res = await fetch(`${base}${r.path}`, { method: "POST", body, headers });
    expect(`${r.path} ${res.status} ${await res.text()}`).toBe(`${r.path} 204 `);
  }
}

/** One request per `precision` value vmagent knows (and an unknown one), each with its own `db`. */
const PRECISIONS: readonly Req[] = [
  ["ns", "1700000000123456789"],
  ["u", "1700000000123456"],
  ["us", "1700000000123999"],
  ["%C2%B5", "1700000000123456"],
  ["ms", "1700000000123"],
  ["s", "1700000000"],
  ["m", "28333333"],
  ["h", "472222"],
  ["xx", "1700000000123"],
  ["ns", "1700000000999999999"],
].map(([p, ts], i) => ({
  path: `/write?precision=${p}&db=p${i}`,
  body: `prec,p=x f=${i} ${ts}\nprec2 f=1,g=2 ${ts}\n`,
}));

const CORPUS: readonly Req[] = [
  { path: "/write?db=telegraf", body: TELEGRAF },
  { path: "/api/v2/write?org=o&bucket=b&precision=ns", body: CLIENT_JS },
  { path: "/write?db=v1&precision=ns", body: CLIENT_JS },
  { path: "/write?db=adv&extra_label=env=test&extra_label=db=x", body: ADVERSARIAL },
  { path: "/write", body: ADVERSARIAL },
  { path: "/write?db=crlf", body: CRLF },
  { path: "/write?db=gz", body: TELEGRAF, gzip: true },
  { path: "/api/v2/write?db=v2db", body: "v2 f=1 1700000000\n" },
  ...PRECISIONS,
];

/**
 * VictoriaMetrics exports ±Inf as bare `+Inf`/`-Inf`, which the harness's
 * JSON export cannot read; this reads them as strings.
 */
async function exportWithInf(vm: VictoriaMetrics): Promise<ExportedSeries[]> {
  await fetch(`${vm.url}/internal/force_flush`);
  const text = await (await fetch(`${vm.url}/api/v1/export?match[]=${encodeURIComponent('{__name__=~".+"}')}`)).text();
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l.replace(/([[,])([+-]Inf|NaN)(?=[,\]])/g, '$1"$2"')) as ExportedSeries);
}

const skip = !have("victoria-metrics") || !have("vmagent");

describe.skipIf(skip)("influx: differential against vmagent v1.79.5", () => {
  test("corpus with timestamps, every precision, db, extra_label, gzip, CRLF; /query body", async () => {
    const query: Record<AgentRole, string[]> = { vmagent: [], drover: [] };
    const res = await differential({
      agentArgs: ['-influx.databaseNames=_internal,telegraf,we"ird\\db'],
      send: async (base, role) => {
        await sendAll(base, CORPUS);
        for (const method of ["GET", "POST"]) {
          for (const path of ["/query", "/query?q=SHOW+DATABASES"]) {
            const r = await fetch(`${base}${path}`, { method });
            query[role].push(`${method} ${path} ${r.status} ${r.headers.get("content-type")} ${await r.text()}`);
          }
        }
      },
    });
    expect(res.vmagent.length).toBeGreaterThan(150);
    expect(res.drover).toEqual(res.vmagent);
    expect(query.drover).toEqual(query.vmagent);
    expect(query.vmagent[0]).toContain(databaseNamesBody(["_internal", "telegraf", 'we"ird\\db']));
  }, 90_000);

  test("values that become ±Inf (own export: the harness cannot parse Inf)", async () => {
    await using vmA = await VictoriaMetrics.start();
    await using vmD = await VictoriaMetrics.start();
    await using agent = await VmAgent.start([`-remoteWrite.url=${vmA.writeURL}`]);
    using dir = tempDir();
    await using drover = await Drover.start([
      `-remoteWrite.url=${vmD.writeURL}`,
      `-remoteWrite.tmpDataPath=${dir.path}`,
    ]);
    const got: string[][] = [];
    for (const [base, vm] of [[agent.url, vmA], [drover.url, vmD]] as const) {
      await sendAll(base, [{ path: "/write", body: NON_FINITE }]);
      // 11 infinite fields; VictoriaMetrics drops the NaN ones (nf1 nan, NAN; nf2 z).
      await waitFor("11 series", async () => (await exportWithInf(vm)).length >= 11);
      got.push(canonical(await exportWithInf(vm)));
    }
    expect(got[0]!.length).toBe(11);
    expect(got[1]).toEqual(got[0]!);
  }, 60_000);

  test("lines without timestamps (timestamps masked)", async () => {
    const reqs: Req[] = ["", "?precision=s", "?precision=m", "?precision=h", "?precision=ns"].map((q, i) => ({
      path: `/write${q === "" ? "?" : `${q}&`}db=n${i}`,
      body: NO_TS,
    }));
    const res = await differential({ agentArgs: [], maskTimestamps: true, send: (base) => sendAll(base, reqs) });
    expect(res.vmagent.length).toBe(40);
    expect(res.drover).toEqual(res.vmagent);
  }, 90_000);

  test("-influxSkipSingleField, separator, db label name, trim timestamp", async () => {
    const res = await differential({
      agentArgs: [
        "-influxSkipSingleField",
        "-influxMeasurementFieldSeparator=::",
        "-influxDBLabel=database",
        "-influxTrimTimestamp=1s",
      ],
      send: (base) =>
        sendAll(base, [
          { path: "/write?db=x", body: TELEGRAF },
          { path: "/write?db=y", body: ADVERSARIAL },
          { path: "/write?db=z&precision=ns", body: "trim,database=own f=1 1700000000999999999\n" },
        ]),
    });
    expect(res.vmagent.length).toBeGreaterThan(100);
    expect(res.drover).toEqual(res.vmagent);
  }, 90_000);

  test("-influxSkipMeasurement", async () => {
    const res = await differential({
      agentArgs: ["-influxSkipMeasurement"],
      send: (base) => sendAll(base, [{ path: "/write?db=s", body: TELEGRAF + CLIENT_JS + "\n" + ADVERSARIAL }]),
    });
    expect(res.vmagent.length).toBeGreaterThan(50);
    expect(res.drover).toEqual(res.vmagent);
  }, 90_000);
});

describe.skipIf(!have("victoria-metrics"))("influx: Drover HTTP answers", () => {
  test("statuses, aliases, gzip, limits and counters", async () => {
    await using vm = await VictoriaMetrics.start();
    using dir = tempDir();
    await using d = await Drover.start([
      `-remoteWrite.url=${vm.writeURL}`,
      `-remoteWrite.tmpDataPath=${dir.path}`,
      "-influx.maxRequestSize=4096",
      "-influx.maxLineSize=64",
    ]);
    const post = async (path: string, body: string | Uint8Array, headers: Record<string, string> = {}) => {
      const r = await fetch(`${d.url}${path}`, { method: "POST", body, headers });
      return `${r.status} ${await r.text()}`;
    };
    expect(await post("/write", "a f=1 1700000000\n")).toBe("204 ");
    expect(await post("/influx/write?db=x", "b f=1 1700000000\n")).toBe("204 ");
    expect(await post("/api/v2/write", "c f=1 1700000000\n")).toBe("204 ");
    expect(await post("/influx/api/v2/write", "d f=1 1700000000\n")).toBe("204 ");
    expect(
      await post("/write", Bun.gzipSync(new TextEncoder().encode("e f=1 1700000000\n")), {
        "Content-Encoding": "gzip",
      }),
    )
      .toBe("204 ");
    // Bad lines and an over-long line are skipped; the rest is kept.
    expect(await post("/write", `f f=1 1700000000\nbad\ng,t=${"x".repeat(80)} f=1 1700000000\nh f=1 1700000000`)).toBe(
      "204 ",
    );
    expect(await post("/write?extra_label=bad", "i f=1 1700000000")).toMatch(/^400 /);
    expect(await post("/write", "j f=1 1700000000\n".repeat(300))).toMatch(/^413 .*-influx\.maxRequestSize/);
    for (const path of ["/query", "/influx/query"]) {
      const r = await fetch(`${d.url}${path}?q=show+databases`);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toBe("application/json");
      expect(await r.text()).toBe(
        '{"results":[{"statement_id":0,"series":[{"name":"databases","columns":["name"],"values":[["_internal"]]}]}]}',
      );
    }
    await waitFor("7 samples", async () => (await vm.sampleCount()) >= 7);
    expect((await vm.export()).map((s) => s.metric.__name__).sort()).toEqual(
      ["a_f", "b_f", "c_f", "d_f", "e_f", "f_f", "h_f"],
    );
    expect(await d.metric('vm_rows_invalid_total{type="influx"}')).toBe(2);
    expect(await d.metric('vmagent_rows_inserted_total{type="influx"}')).toBe(7);
  }, 60_000);
});
