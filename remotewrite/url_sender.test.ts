import { describe, expect, test } from "bun:test";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Logger } from "../log/logger.ts";
import { snappyCompress, snappyDecompress } from "../protocols/_shared/snappy.ts";
import { validateWriteRequest } from "../protocols/promremotewrite/decode.ts";
import { BlockBuilder } from "../protocols/promremotewrite/encode.ts";
import { FileQueue } from "../queue/file_queue.ts";
import { Registry } from "../selfmetrics/registry.ts";
import { REMOTE_WRITE_HEADERS } from "./client.ts";
import { HTTPClient } from "../promauth/client.ts";
import { NO_HTTP_CLIENT } from "../promauth/config.ts";
import { UrlSender, type UrlSenderOptions } from "./url_sender.ts";

/** A compressed WriteRequest of `n` one-sample series named `m{i="<first+k>"}`. */
function block(first: number, n: number): Uint8Array {
  const b = new BlockBuilder();
  for (let k = 0; k < n; k++) {
    b.beginSeries();
    b.addLabel("__name__", "m");
    b.addLabel("i", String(first + k));
    b.addSample(first + k, 1_700_000_000_000);
    b.endSeries();
  }
  return snappyCompress(b.finish());
}

/** A remote-write receiver that records the series count of every request. */
function receiver(): { url: string; requests: number[]; [Symbol.dispose](): void } {
  const requests: number[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const raw = snappyDecompress(new Uint8Array(await req.arrayBuffer()), 64 << 20);
      requests.push(validateWriteRequest(raw).series);
      return new Response(null, { status: 204 });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/api/v1/write`,
    requests,
    [Symbol.dispose]: () => void server.stop(true),
  };
}

function setup(
  url: string,
  over: Partial<UrlSenderOptions>,
): { sender: UrlSender; queue: FileQueue; [Symbol.dispose](): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drover-sender-"));
  const queue = FileQueue.open({
    dir,
    name: "1:secret-url",
    maxDiskUsage: 0,
    fsyncPolicy: "never",
    fsyncIntervalMs: 1000,
    memoryCacheBytes: 1 << 20,
    memoryFallbackBytes: 1 << 20,
    logger: () => {},
  });
  const sender = new UrlSender({
    client: {
      url,
      displayName: "1:secret-url",
      timeoutMs: 5000,
      headers: { ...REMOTE_WRITE_HEADERS },
      http: new HTTPClient(NO_HTTP_CLIENT),
    },
    queue,
    concurrency: 2,
    retryMinMs: 10,
    retryMaxMs: 100,
    registry: new Registry(),
    logger: new Logger("test", undefined, () => {}),
    ...over,
  });
  return {
    sender,
    queue,
    [Symbol.dispose]: () => {
      queue.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await Bun.sleep(10);
  expect(cond()).toBe(true);
}

describe("UrlSender packing", () => {
  test("records pushed within the flush interval go out as one request", async () => {
    using rx = receiver();
    using s = setup(rx.url, { maxRequestBytes: 8 << 20, maxRequestRows: 10_000, lingerMs: 300 });
    s.sender.start();
    for (let i = 0; i < 5; i++) {
      s.sender.push(block(i * 10, 10), 10);
      await Bun.sleep(5);
    }
    await until(() => rx.requests.reduce((a, b) => a + b, 0) === 50);
    expect(rx.requests).toEqual([50]);
    await until(() => s.queue.pendingBlocks() === 0);
    await s.sender.stop();
  });

  test("a request never exceeds maxRequestRows; the rest goes in the next one", async () => {
    using rx = receiver();
    using s = setup(rx.url, { maxRequestBytes: 8 << 20, maxRequestRows: 25, lingerMs: 200, concurrency: 1 });
    for (let i = 0; i < 6; i++) s.sender.push(block(i * 10, 10), 10);
    s.sender.start();
    await until(() => rx.requests.reduce((a, b) => a + b, 0) === 60);
    expect(rx.requests).toEqual([20, 20, 20]);
    await s.sender.stop();
  });

  test("without packing limits every record is its own request", async () => {
    using rx = receiver();
    using s = setup(rx.url, { concurrency: 1 });
    for (let i = 0; i < 3; i++) s.sender.push(block(i * 10, 10), 10);
    s.sender.start();
    await until(() => rx.requests.length === 3);
    expect(rx.requests).toEqual([10, 10, 10]);
    await s.sender.stop();
  });

  test("stop() ends the wait for more records and sends what was taken", async () => {
    using rx = receiver();
    using s = setup(rx.url, { maxRequestBytes: 8 << 20, maxRequestRows: 10_000, lingerMs: 60_000 });
    s.sender.start();
    s.sender.push(block(0, 3), 3);
    await Bun.sleep(50);
    expect(rx.requests).toEqual([]);
    const t0 = performance.now();
    await s.sender.stop();
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(rx.requests).toEqual([3]);
    expect(s.queue.pendingBlocks()).toBe(0);
  });
});
