import { expect } from "bun:test";
import { type Config, parseFlags } from "./flags.ts";

export type Env = Record<string, string | undefined>;
export const CPUS = 4;
export const A = "http://a:8428/api/v1/write";
export const B = "https://b/write";
export const C = "http://c/";

export function cfg(argv: string[], env: Env = {}): Config {
  const r = parseFlags(argv, { env, cpus: CPUS });
  if (r.kind !== "config") throw new Error(`want config for ${JSON.stringify(argv)}, got ${JSON.stringify(r)}`);
  return r.config;
}

/** Asserts an error result; `want` is the exact message, or a RegExp it must match. */
export function fail(argv: string[], want: string | RegExp, env: Env = {}): void {
  const r = parseFlags(argv, { env, cpus: CPUS });
  if (r.kind !== "error") throw new Error(`want error for ${JSON.stringify(argv)}, got ${r.kind}`);
  if (typeof want === "string") expect(r.message).toBe(want);
  else expect(r.message).toMatch(want);
  expect(r.message).not.toContain("\n");
}
