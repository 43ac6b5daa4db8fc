/**
 * Drop-in migration: data that a real vmagent v1.79.5 left in its persistent
 * queue (remote down, then a graceful shutdown) is delivered by Drover
 * started on the same -remoteWrite.tmpDataPath once the remote is up.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { queueDirName } from "../queue/file_queue.ts";
import { Drover, freePort, have, makeWriteRequest, Proc, tempDir, VictoriaMetrics, waitFor } from "./_harness.ts";

const REQUESTS = 3;
const SERIES = 500;

function chunkFiles(dir: string): string[] {
  return readdirSync(dir).filter((n) => /^[0-9A-F]{16}$/.test(n));
}

describe.skipIf(!have("vmagent") || !have("victoria-metrics"))("vmagent queue migration", () => {
  test("blocks queued by vmagent are sent by Drover", async () => {
    using dir = tempDir();
    const remotePort = await freePort();
    const remoteURL = `http://127.0.0.1:${remotePort}/api/v1/write`;
    const queueDir = join(dir.path, "persistent-queue", queueDirName(1, remoteURL));

    const vmagentPort = await freePort();
    {
      await using vmagent = new Proc("vmagent", [
        "vmagent",
        `-httpListenAddr=127.0.0.1:${vmagentPort}`,
        `-remoteWrite.url=${remoteURL}`,
        `-remoteWrite.tmpDataPath=${dir.path}`,
        "-loggerLevel=ERROR",
      ]);
      await waitFor("vmagent /health", async () => {
        if (vmagent.proc.exitCode !== null) throw new Error(`vmagent exited early: ${vmagent.output}`);
        return (await fetch(`http://127.0.0.1:${vmagentPort}/health`)).ok;
      });
      for (let i = 0; i < REQUESTS; i++) {
        const res = await fetch(`http://127.0.0.1:${vmagentPort}/api/v1/write`, {
          method: "POST",
          body: makeWriteRequest({ prefix: `migrated${i}`, series: SERIES }),
          headers: { "Content-Encoding": "snappy", "Content-Type": "application/x-protobuf" },
        });
        expect(res.status).toBe(204);
      }
      // A graceful shutdown moves vmagent's in-memory queue to disk.
      expect(await vmagent.stop()).toBe(0);
    }
    expect(existsSync(queueDir)).toBe(true);
    const vmMeta = JSON.parse(readFileSync(join(queueDir, "metainfo.json"), "utf8"));
    expect(vmMeta.Format).toBeUndefined();
    expect(vmMeta.WriterOffset).toBeGreaterThan(vmMeta.ReaderOffset);
    expect(chunkFiles(queueDir).reduce((s, n) => s + statSync(join(queueDir, n)).size, 0)).toBeGreaterThan(0);

    await using vm = await VictoriaMetrics.start([], remotePort);
    {
      await using drover = await Drover.start([
        `-remoteWrite.url=${remoteURL}`,
        `-remoteWrite.tmpDataPath=${dir.path}`,
      ]);
      await waitFor(
        "all samples queued by vmagent in victoria-metrics",
        async () => (await vm.sampleCount()) >= REQUESTS * SERIES,
        60_000,
      );
      expect(drover.p.output).toContain("from the vmagent queue");
      expect(await drover.p.stop()).toBe(0);
    }
    expect(await vm.sampleCount()).toBe(REQUESTS * SERIES);
    for (let i = 0; i < REQUESTS; i++) expect(await vm.sampleCount(`{__name__="migrated${i}_metric"}`)).toBe(SERIES);
    expect(JSON.parse(readFileSync(join(queueDir, "metainfo.json"), "utf8")).Format).toBe("drover-v1");
  }, 120_000);
});
