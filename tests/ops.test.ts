/**
 * Operational endpoints and process behaviour: health, flags, reload
 * (endpoint and SIGHUP), self-metric names, JSON logs, URL hiding,
 * env flags, and the quick-start file.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Drover, makeWriteRequest, tempDir, waitFor } from "./_harness.ts";

describe("operations", () => {
  test("health, readiness, flags, reload and vmagent self-metric names", async () => {
    using dir = tempDir();
    await using d = await Drover.start([
      "-remoteWrite.url=http://user:pass@127.0.0.1:1/api/v1/write",
      `-remoteWrite.tmpDataPath=${dir.path}`,
      "-loggerFormat=json",
    ]);
    const get = async (path: string) => {
      const r = await fetch(`${d.url}${path}`);
      return { status: r.status, text: await r.text() };
    };
    expect(await get("/health")).toEqual({ status: 200, text: "OK" });
    expect(await get("/ready")).toEqual({ status: 200, text: "OK" });
    expect((await get("/-/healthy")).status).toBe(200);
    expect((await get("/ping")).status).toBe(204);
    const flags = await get("/flags");
    expect(flags.text).toContain('-remoteWrite.maxRowsPerBlock="10000"');
    expect(flags.text).not.toContain("pass@");
    expect((await get("/-/reload")).status).toBe(200);
    d.p.proc.kill("SIGHUP");
    await waitFor("two reloads", async () => (await d.metric("drover_config_reloads_total")) === 2);
    expect((await d.write(makeWriteRequest({ prefix: "ops", series: 5 }))).status).toBe(204);
    const metrics = (await get("/metrics")).text;
    for (
      const name of [
        'vmagent_rows_inserted_total{type="promremotewrite"} 5',
        'vmagent_http_requests_total{path="/api/v1/write",protocol="promremotewrite"} 1',
        'vmagent_remotewrite_queues{url="1:secret-url"}',
        "vmagent_remotewrite_pending_data_bytes{",
        "vm_persistentqueue_bytes_pending{",
        "vm_persistentqueue_blocks_written_total{",
        "process_resident_memory_bytes ",
        "process_cpu_seconds_total ",
        // Where memory goes: each thread's heap, the queue's memory, the label cache.
        'drover_thread_heap_bytes{thread="main"}',
        'drover_thread_heap_bytes{thread="sender"}',
        'drover_thread_heap_bytes{thread="parse-0"}',
        "drover_persistentqueue_memory_cache_bytes{",
        "drover_label_cache_bytes ",
      ]
    ) {
      expect(metrics).toContain(name);
    }
    expect(metrics).not.toContain("127.0.0.1:1");
    expect(await d.p.stop()).toBe(0);
    // Every stderr line is JSON with -loggerFormat=json.
    const lines = d.p.output.trim().split("\n");
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    expect(lines.some((l) => (JSON.parse(l) as { msg: string }).msg.includes("1:secret-url"))).toBe(true);
  });

  test("-remoteWrite.showURL shows the URL with its password masked", async () => {
    using dir = tempDir();
    await using d = await Drover.start([
      "-remoteWrite.url=http://user:pass@127.0.0.1:1/api/v1/write",
      `-remoteWrite.tmpDataPath=${dir.path}`,
      "-remoteWrite.showURL",
    ]);
    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    expect(metrics).toContain('url="1:http://user:***@127.0.0.1:1/api/v1/write"');
    expect(metrics).not.toContain("pass@");
  });

  test("-envflag.enable reads flags from the environment; quick-start writes JSON lines", async () => {
    using dir = tempDir();
    const file = join(dir.path, "out", "samples.jsonl");
    await using d = await Drover.start(["-envflag.enable", "-envflag.prefix=DROVER_"], {
      env: { DROVER_remoteWrite_quickstartFile: file, DROVER_loggerLevel: "WARN" },
    });
    expect(d.p.output).toContain(file);
    expect(d.p.output).not.toContain("\tinfo\t");
    expect((await d.write(makeWriteRequest({ prefix: "qs", series: 3, samplesPerSeries: 2 }))).status).toBe(204);
    expect(await d.p.stop()).toBe(0);
    expect(existsSync(file)).toBe(true);
    const rows = readFileSync(file, "utf8").trim().split("\n").map((l) =>
      JSON.parse(l) as { metric: Record<string, string>; values: number[]; timestamps: number[] }
    );
    expect(rows).toHaveLength(3);
    expect(rows[1]).toEqual({
      metric: { __name__: "qs_metric", series: "1", label0: "value-0-1", label1: "value-1-1", label2: "value-2-1" },
      values: [1, 1.1],
      timestamps: [1_700_000_000_000, 1_700_000_001_000],
    });
  });
});
