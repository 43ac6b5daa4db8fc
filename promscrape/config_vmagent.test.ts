/**
 * Drover's -promscrape.config validation against the real vmagent's -promscrape.config.dryRun.
 *
 * The fixtures in testdata/vmagent/ are ones v1.79.5 (the installed binary) and current vmagent
 * agree on: `valid_*.yml` must load, `invalid_*.yml` must fail (`*.yaml` files are only included
 * by others). Cases where the two vmagent versions differ (e.g. `relabel_debug`, which current
 * vmagent no longer knows, or semantic errors that current vmagent logs and skips) are covered
 * by config.test.ts instead.
 */

import { describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadScrapeConfig } from "./config.ts";
import { DISCOVERY_KINDS } from "../discovery/registry.ts";

const DIR = join(import.meta.dir, "testdata", "vmagent");
const ENV = { DROVER_TEST_JOB: "envjob" };
const VMAGENT = Bun.which("vmagent");
const FIXTURES = readdirSync(DIR).filter((f) => f.endsWith(".yml")).sort();
const SD_KEY_RE = /^\s*-?\s*([a-z0-9]+_sd_configs):/gm;

/** SD kinds a fixture uses that Drover has not registered yet (their fixture is skipped). */
async function missingSDKinds(file: string): Promise<string[]> {
  const text = await Bun.file(join(DIR, file)).text();
  return [...text.matchAll(SD_KEY_RE)].map((m) => m[1] ?? "").filter((k) => !DISCOVERY_KINDS.has(k));
}

async function droverAccepts(file: string): Promise<boolean> {
  try {
    await loadScrapeConfig(join(DIR, file), { strictParse: true, env: ENV, log: { warn() {}, error() {} } });
    return true;
  } catch {
    return false;
  }
}

async function vmagentAccepts(file: string): Promise<boolean> {
  const proc = Bun.spawn([
    VMAGENT ?? "vmagent",
    `-promscrape.config=${file}`,
    "-promscrape.config.dryRun",
    "-loggerLevel=ERROR",
  ], {
    cwd: DIR,
    env: { ...ENV, PATH: process.env["PATH"] ?? "" },
    stdout: "ignore",
    stderr: "ignore",
  });
  return (await proc.exited) === 0;
}

describe("fixtures agree with the file name", () => {
  test("valid_* load, invalid_* fail", async () => {
    expect(FIXTURES.length).toBeGreaterThan(10);
    for (const f of FIXTURES) {
      if ((await missingSDKinds(f)).length > 0) continue;
      expect({ f, ok: await droverAccepts(f) }).toEqual({ f, ok: f.startsWith("valid_") });
    }
  });
});

describe.skipIf(VMAGENT === null)("agreement with vmagent -promscrape.config.dryRun", () => {
  test("each fixture is accepted or rejected by both", async () => {
    for (const f of FIXTURES) {
      if ((await missingSDKinds(f)).length > 0) continue;
      const [drover, vmagent] = await Promise.all([droverAccepts(f), vmagentAccepts(f)]);
      expect({ f, drover }).toEqual({ f, drover: vmagent });
    }
  });
});
