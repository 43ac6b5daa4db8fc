import { expect, test } from "bun:test";
import type { PushResponse } from "./messages.ts";
import { PendingRequests } from "./_pending_requests.ts";

test("a request is answered once its block is done and every flushed block of it is acked", () => {
  const posted: PushResponse[][] = [];
  const p = new PendingRequests((items) => posted.push(items));
  p.begin(1);
  p.begin(2);
  p.flushed(10); // holds 1 and 2
  p.inCurrent(2); // 2 goes on into the next block
  p.finish(1);
  p.post();
  expect(posted).toEqual([]); // 1 waits for block 10
  p.acked(10, true);
  p.post();
  expect(posted).toEqual([[{ reqId: 1, status: 204 }]]);
  p.flushed(11); // holds 2
  p.acked(11, false);
  p.post();
  expect(posted[1]![0]!.reqId).toBe(2);
  expect(posted[1]![0]!.status).toBe(503);
  // Nothing is answered twice, and an empty post sends nothing.
  p.acked(11, true);
  p.finish(2);
  p.post();
  expect(posted.length).toBe(2);
});

test("a request that wrote nothing is answered at once; a forgotten one never", () => {
  const posted: PushResponse[][] = [];
  const p = new PendingRequests((items) => posted.push(items));
  p.begin(3);
  p.notInCurrent(3);
  p.finish(3);
  p.begin(4);
  p.forget(4);
  p.finish(4);
  p.respond({ reqId: 4, status: 400, message: "bad" });
  p.post();
  expect(posted).toEqual([[{ reqId: 3, status: 204 }, { reqId: 4, status: 400, message: "bad" }]]);
});
