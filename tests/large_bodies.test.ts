/**
 * Bodies too large for the parse ring's fast path are transferred to a
 * worker instead (workers/pool.ts #sendDirect): they arrive complete, mixed
 * with small bodies that take the ring, and a body larger than a whole ring
 * is accepted up to the protocol's own size limit.
 */
import { describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { join } from "node:path";
import { Drover, have, tempDir, VictoriaMetrics, waitFor } from "./_harness.ts";

/** `lines` Influx lines of two fields each under measurement `m`. */
function influxBody(m: string, lines: number, ts: number): string {
  let s = "";
  for (let i = 0; i < lines; i++) s += `${m},host=h${i % 500},idx=${i} a=${i},b=${i * 2} ${ts}000000\n`;
  return s;
}

describe("large push bodies", () => {
  test.skipIf(!have("victoria-metrics"))(
    "bodies larger than the ring arrive whole, beside small ones through the ring",
    async () => {
      using dir = tempDir();
      await using vm = await VictoriaMetrics.start();
      // A 64 KiB ring: bodies over 8 KiB skip it; the big ones below are 100× the ring.
      await using d = await Drover.start([
        `-remoteWrite.url=${vm.writeURL}`,
        `-remoteWrite.tmpDataPath=${join(dir.path, "q")}`,
        "-ringBufferSize=64KiB",
        "-influx.maxRequestSize=8MB",
      ]);
      const ts = Date.now() - 60_000;
      const post = (body: string | Uint8Array, headers: Record<string, string> = {}) =>
        fetch(`${d.url}/write`, { method: "POST", body, headers });
      const big = [influxBody("big_a", 100_000, ts), influxBody("big_b", 100_000, ts)];
      expect(big[0]!.length).toBeGreaterThan(6_000_000);
      const small = Array.from({ length: 30 }, (_, k) => influxBody(`small${k}`, 20, ts));
      const responses = await Promise.all([
        ...big.map((b) => post(b)),
        post(gzipSync(influxBody("big_gz", 50_000, ts)), { "Content-Encoding": "gzip" }),
        ...small.map((b) => post(b)),
      ]);
      expect(responses.map((r) => r.status)).toEqual(Array(responses.length).fill(204));
      const want = 2 * 100_000 * 2 + 50_000 * 2 + 30 * 20 * 2;
      await waitFor(`${want} samples`, async () => (await vm.sampleCount()) >= want, 60_000);
      expect(await vm.sampleCount()).toBe(want);
      expect(await vm.sampleCount('{__name__="big_b_b",idx="99999"}')).toBe(1);
      // The protocol's own limit still applies to a body that skips the ring.
      const tooBig = await post(influxBody("too_big", 150_000, ts));
      expect(tooBig.status).toBe(413);
      expect(await tooBig.text()).toContain("-influx.maxRequestSize");
    },
    120_000,
  );
});
