/**
 * Durability end to end: kill -9 under load, the disk-usage limit and a
 * full disk, with real victoria-metrics as the remote.
 */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { snappyCompress } from "../protocols/_shared/snappy.ts";
import { BlockBuilder } from "../protocols/promremotewrite/encode.ts";
import { Drover, freePort, have, makeWriteRequest, tempDir, VictoriaMetrics, waitFor } from "./_harness.ts";

const HAVE_VM = have("victoria-metrics");

/** One numbered batch: `series` series labelled batch=<n>, one sample each. */
function batch(n: number, series: number): Uint8Array {
  const b = new BlockBuilder();
  for (let i = 0; i < series; i++) {
    b.beginSeries();
    b.addLabel("__name__", "durable_metric");
    b.addLabel("batch", String(n));
    b.addLabel("series", String(i));
    b.addSample(n, 1_700_000_000_000 + n);
    b.endSeries();
  }
  return snappyCompress(b.finish());
}

/** Distinct samples per batch label in VM (duplicates from replays counted once). */
async function batchesIn(vm: VictoriaMetrics): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const s of await vm.export('{__name__="durable_metric"}')) {
    const n = Number(s.metric.batch);
    out.set(n, (out.get(n) ?? 0) + new Set(s.timestamps).size);
  }
  return out;
}

describe.skipIf(!HAVE_VM)("durability", () => {
  test("kill -9 under load loses no acknowledged sample", async () => {
    using dir = tempDir();
    await using vm = await VictoriaMetrics.start();
    const args = [
      `-remoteWrite.url=${vm.writeURL}`,
      `-remoteWrite.tmpDataPath=${dir.path}`,
      "-remoteWrite.retryMaxInterval=1s",
    ];
    const SERIES = 50;
    const acked = new Set<number>();
    {
      await using d = await Drover.start(args);
      let next = 0;
      let stop = false;
      const client = async () => {
        while (!stop) {
          const n = next++;
          try {
            const res = await d.write(batch(n, SERIES));
            if (res.status === 204) acked.add(n);
          } catch {
            // connection cut by the kill: not acknowledged
          }
        }
      };
      const clients = Array.from({ length: 4 }, client);
      await waitFor("some acknowledged batches", () => acked.size >= 200);
      await d.p.kill();
      stop = true;
      await Promise.all(clients);
    }
    expect(acked.size).toBeGreaterThanOrEqual(200);
    // Restart on the same queue: what was acknowledged but not yet sent is replayed.
    await using d2 = await Drover.start(args);
    await waitFor(
      "every acknowledged batch in VM",
      async () => {
        const got = await batchesIn(vm);
        for (const n of acked) if (got.get(n) !== SERIES) return false;
        return true;
      },
      60_000,
    );
    expect(await d2.p.stop()).toBe(0);
  });

  test("-remoteWrite.maxDiskUsagePerURL drops the oldest blocks and counts them", async () => {
    using dir = tempDir();
    const port = await freePort();
    await using d = await Drover.start([
      `-remoteWrite.url=http://127.0.0.1:${port}/api/v1/write`,
      `-remoteWrite.tmpDataPath=${dir.path}`,
      "-remoteWrite.maxDiskUsagePerURL=200KiB",
      "-remoteWrite.retryMaxInterval=1s",
      // One sender: only the first request is in flight (being retried) and so kept.
      "-remoteWrite.queues=1",
    ]);
    // ~40 blocks of a few KiB each: far more than 200 KiB in total.
    for (let n = 0; n < 40; n++) {
      expect((await d.write(batch(n, 2000))).status).toBe(204);
    }
    const dropped = await d.metricSum("vm_persistentqueue_blocks_dropped_total");
    expect(dropped).toBeGreaterThan(0);
    expect(await d.metricSum("vm_persistentqueue_bytes_pending")).toBeLessThanOrEqual(200 * 1024);
    await using vm = await VictoriaMetrics.start([], port);
    await waitFor(
      "the queue to drain",
      async () => (await d.metricSum("vm_persistentqueue_bytes_pending")) === 0,
      30_000,
    );
    const got = await batchesIn(vm);
    // The newest batches survive; the oldest not in flight went first: the
    // lost batches are one run that starts after those packed into the
    // request being retried (the first request packs what arrived within
    // -remoteWrite.flushInterval) and ends before the newest.
    expect(got.get(39)).toBe(2000);
    const lost = Array.from({ length: 40 }, (_, n) => n).filter((n) => !got.has(n));
    expect(lost.length).toBe(dropped);
    expect(lost.at(-1)! - lost[0]! + 1).toBe(lost.length);
    expect(got.has(0)).toBe(true);
  });

  test("a full disk degrades to memory, then to counted 503s, never a crash", async () => {
    using dir = tempDir();
    const mnt = join(dir.path, "small-disk");
    mkdirSync(mnt);
    const m = spawnSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt]);
    if (m.status !== 0) {
      if (process.env.CI) throw new Error(`cannot mount a tmpfs for the full-disk test: ${m.stderr}`);
      console.warn("skipping the full-disk test: mounting a tmpfs needs root");
      return;
    }
    try {
      const port = await freePort();
      await using d = await Drover.start([
        `-remoteWrite.url=http://127.0.0.1:${port}/api/v1/write`,
        `-remoteWrite.tmpDataPath=${mnt}`,
        "-remoteWrite.memoryQueueSize=256KiB",
        "-remoteWrite.retryMaxInterval=1s",
      ]);
      const statuses: number[] = [];
      for (let n = 0; n < 60; n++) statuses.push((await d.write(batch(n, 2000))).status);
      expect(await d.metricSum("drover_persistentqueue_disk_write_errors_total")).toBeGreaterThan(0);
      expect(statuses).toContain(503);
      expect(statuses.every((s) => s === 204 || s === 503)).toBe(true);
      const ok = statuses.flatMap((s, n) => (s === 204 ? [n] : []));
      // Still alive and answering.
      expect((await fetch(`${d.url}/health`)).status).toBe(200);
      await using vm = await VictoriaMetrics.start([], port);
      await waitFor(
        "every acknowledged batch delivered",
        async () => {
          const got = await batchesIn(vm);
          return ok.every((n) => got.get(n) === 2000);
        },
        30_000,
      );
      expect(await d.p.stop()).toBe(0);
    } finally {
      spawnSync("umount", ["-l", mnt]);
    }
  });
});

describe("hostile requests", () => {
  test("malformed, oversized and snappy-bomb requests get clear errors", async () => {
    using dir = tempDir();
    await using d = await Drover.start([
      `-remoteWrite.tmpDataPath=${dir.path}`,
      `-remoteWrite.quickstartFile=${join(dir.path, "q.jsonl")}`,
      "-maxInsertRequestSize=1MiB",
    ]);
    const f = async (body: Uint8Array, wantStatus: number, wantText: string, query = "") => {
      const res = await d.write(body, query);
      expect(res.status).toBe(wantStatus);
      expect(await res.text()).toContain(wantText);
    };
    await f(new Uint8Array([1, 2, 3, 4, 5]), 400, "cannot decompress");
    // Valid snappy around invalid protobuf.
    await f(
      snappyCompress(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0x0f])),
      400,
      "cannot parse promremotewrite request",
    );
    // A 6-byte snappy block declaring 4 GiB of output: refused before allocating.
    await f(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]), 413, "-maxInsertRequestSize");
    // Declares 1 MiB + 1 byte (just over the limit).
    await f(new Uint8Array([0x81, 0x80, 0x40, 0x00]), 413, "-maxInsertRequestSize");
    // Compressed body over the limit.
    await f(new Uint8Array(2 * 1024 * 1024), 413, "too big request body");
    await f(makeWriteRequest({ prefix: "ok", series: 1 }), 400, "extra_label", "?extra_label=bad");
    const get = await fetch(`${d.url}/api/v1/write`);
    expect(get.status).toBe(405);
    const unknown = await fetch(`${d.url}/no/such/path`);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain("unsupported path");
    // After all that, a good request still works.
    await f(makeWriteRequest({ prefix: "ok", series: 2 }), 204, "");
    expect(await d.metric('vm_protoparser_read_errors_total{type="promremotewrite"}')).toBe(3);
  });
});
