import { expect } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LoadedScrapeConfig, loadScrapeConfig, ScrapeConfigError } from "./config.ts";
import type { DiscoveryKind } from "../discovery/types.ts";

export const TESTDATA = join(import.meta.dir, "testdata");
export const TMP = mkdtempSync(join(tmpdir(), "drover-promscrape-config-"));
// Removed at exit rather than in one file's `afterAll`: several test files share this module (and TMP).
process.on("exit", () => rmSync(TMP, { recursive: true, force: true }));

export interface Logs {
  warn: string[];
  error: string[];
}
export const newLog = () => {
  const logs: Logs = { warn: [], error: [] };
  return { logs, log: { warn: (m: string) => logs.warn.push(m), error: (m: string) => logs.error.push(m) } };
};

/** A fake SD kind: `fake_sd_configs: [{names: [..]}]`. */
export const FAKE_KIND: DiscoveryKind<{ names: string[] }> = {
  key: "fake_sd_configs",
  checkIntervalFlag: "promscrape.fakeSDCheckInterval",
  defaultCheckIntervalMs: 30_000,
  parse({ raw, path, strict }) {
    if (typeof raw !== "object" || raw === null) throw new TypeError(`${path}: want a map`);
    for (const k of Object.keys(raw)) if (k !== "names" && strict) throw new TypeError(`${path}.${k}: unknown field`);
    const names = (raw as { names?: unknown }).names;
    if (!Array.isArray(names)) throw new TypeError(`${path}.names: want a list`);
    return Object.freeze({ names: names.map(String) });
  },
  create: () => ({ name: "fake", start() {}, stop() {} }),
};
export const KINDS = new Map<string, DiscoveryKind>([[FAKE_KIND.key, FAKE_KIND]]);

let n = 0;
export async function load(
  yaml: string,
  o: { strict?: boolean; env?: Record<string, string>; log?: ReturnType<typeof newLog>["log"] } = {},
): Promise<LoadedScrapeConfig> {
  const file = join(TMP, `c${n++}.yml`);
  writeFileSync(file, yaml);
  return await loadScrapeConfig(file, {
    strictParse: o.strict ?? true,
    env: o.env ?? {},
    discoveryKinds: KINDS,
    log: o.log ?? newLog().log,
  });
}

export async function loadError(
  yaml: string,
  o: { strict?: boolean; env?: Record<string, string> } = {},
): Promise<string> {
  try {
    await load(yaml, o);
  } catch (e) {
    expect(e).toBeInstanceOf(ScrapeConfigError);
    return (e as Error).message.replace(/^Cannot load -promscrape.config "[^"]*": /, "");
  }
  throw new Error(`want an error for ${yaml}`);
}
