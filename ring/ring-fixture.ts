/**
 * Worker script for spsc_ring.test.ts and spsc_ring.bench.ts. Started with
 * `new Worker(new URL("./ring-fixture.ts", import.meta.url), { type: "module" })`
 * and driven by one FixtureRequest message:
 *
 * - "verify": consume `count` ring messages laid out as
 *   [seq:u32le][crc32(payload):u32le][payload] and check order and checksum.
 * - "drain": consume `count` ring messages, touching only their length.
 * - "post": count ArrayBuffers received by postMessage, acking every `ackEvery`.
 *
 * Replies with a FixtureReply. The message listener stays installed so the
 * worker is kept alive while it waits in Atomics.waitAsync.
 */
import { SpscRing } from "./spsc_ring.ts";

export type FixtureRequest =
  | { mode: "verify" | "drain"; sab: SharedArrayBuffer; count: number }
  | { mode: "post"; count: number; ackEvery: number };

export type FixtureReply =
  | { kind: "done"; count: number; bytes: number; errors: number; firstError: string }
  | { kind: "ack"; count: number };

// deno-lint-ignore no-var -- the global `self` of a worker is a var in lib.dom
declare var self: Worker;

function readU32(v: Uint8Array, off: number): number {
  return (v[off]! | (v[off + 1]! << 8) | (v[off + 2]! << 16) | (v[off + 3]! << 24)) >>> 0;
}

async function consumeRing(sab: SharedArrayBuffer, count: number, verify: boolean): Promise<FixtureReply> {
  const ring = SpscRing.attach(sab);
  let n = 0;
  let bytes = 0;
  let errors = 0;
  let firstError = "";
  while (n < count) {
    const msg = ring.tryRead();
    if (msg === null) {
      await ring.waitForData(1000);
      continue;
    }
    bytes += msg.byteLength;
    if (verify) {
      let err = "";
      if (msg.byteLength < 8) {
        err = `message ${n}: too short (${msg.byteLength} bytes)`;
      } else if (readU32(msg, 0) !== n) {
        err = `message ${n}: got sequence ${readU32(msg, 0)}`;
      } else if (readU32(msg, 4) !== Bun.hash.crc32(msg.subarray(8))) {
        err = `message ${n}: checksum mismatch`;
      }
      if (err !== "") {
        if (errors === 0) firstError = err;
        errors++;
      }
    }
    ring.release();
    n++;
  }
  return { kind: "done", count: n, bytes, errors, firstError };
}

let posted = 0;
let postedBytes = 0;
let postTarget = 0;
let ackEvery = 1;

self.onmessage = (e: MessageEvent) => {
  const data = e.data as FixtureRequest | ArrayBuffer;
  if (data instanceof ArrayBuffer) {
    posted++;
    postedBytes += data.byteLength;
    if (posted === postTarget) {
      postMessage(
        { kind: "done", count: posted, bytes: postedBytes, errors: 0, firstError: "" } satisfies FixtureReply,
      );
    } else if (posted % ackEvery === 0) {
      postMessage({ kind: "ack", count: posted } satisfies FixtureReply);
    }
    return;
  }
  if (data.mode === "post") {
    posted = 0;
    postedBytes = 0;
    postTarget = data.count;
    ackEvery = data.ackEvery;
    return;
  }
  void consumeRing(data.sab, data.count, data.mode === "verify").then((reply) => postMessage(reply));
};
