import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startThreadProfile } from "./profile.ts";

function busy(ms: number): number {
  let x = 0;
  for (const end = performance.now() + ms; performance.now() < end;) x += Math.sqrt(x + 1);
  return x;
}

test("DROVER_PROFILE_DIR: the thread's top functions land in <dir>/<thread>.txt", async () => {
  const dir = mkdtempSync(join(tmpdir(), "drover-prof-"));
  const before = process.env.DROVER_PROFILE_DIR;
  process.env.DROVER_PROFILE_DIR = dir;
  try {
    const stop = startThreadProfile("test-thread", 300);
    expect(stop).not.toBeNull();
    // Keep the thread busy in short slices so the profile's timer gets to run between them.
    for (let i = 0; i < 12; i++) {
      busy(40);
      await Bun.sleep(10);
    }
    await Bun.sleep(400);
    stop!();
    // The round in progress still ends and writes; let it, before the directory goes.
    await Bun.sleep(400);
    const text = readFileSync(join(dir, "test-thread.txt"), "utf8");
    expect(text).toMatch(/^test-thread: \d+ samples/);
    expect(text).toContain("## self");
    expect(text).toMatch(/busy selfmetrics\/profile\.test\.ts:\d+/);
  } finally {
    if (before === undefined) delete process.env.DROVER_PROFILE_DIR;
    else process.env.DROVER_PROFILE_DIR = before;
    rmSync(dir, { recursive: true, force: true });
  }
});

test("off unless DROVER_PROFILE_DIR is set", () => {
  const before = process.env.DROVER_PROFILE_DIR;
  delete process.env.DROVER_PROFILE_DIR;
  try {
    expect(startThreadProfile("never")).toBeNull();
  } finally {
    if (before !== undefined) process.env.DROVER_PROFILE_DIR = before;
  }
});
