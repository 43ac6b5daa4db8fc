/**
 * Command-line parsing shared by the benchmarks: `--name=value` arguments
 * with integer checks, the `--agents` list and the options every benchmark
 * takes (warm-up, drain, stall and timeout seconds, output directory).
 *
 * @module
 */

import { join } from "node:path";
import { ROOT } from "../tests/_harness.ts";
import type { AgentKind } from "./_procs.ts";

/** One `--name=value` argument with typed readers that name the flag in errors. */
export interface Arg {
  readonly name: string;
  readonly value: string;
  /** The value as an integer in [min, max]. */
  int(min: number, max?: number): number;
}

/**
 * Calls `onArg` for every `--name=value` in `argv`; `flags` handles bare
 * switches such as `--gzip` (return true when taken).
 */
export function readArgs(
  argv: readonly string[],
  onArg: (a: Arg) => void,
  flags: (a: string) => boolean = () => false,
): void {
  for (const a of argv) {
    if (flags(a)) continue;
    const m = /^--([a-z-]+)=(.*)$/.exec(a);
    if (m === null) throw new SyntaxError(`Cannot parse argument ${JSON.stringify(a)}: want --name=value`);
    const [, name = "", value = ""] = m;
    onArg({
      name,
      value,
      int(min: number, max = Infinity): number {
        const n = Number(value);
        if (!Number.isInteger(n) || n < min || n > max) {
          const want = max === Infinity ? `an integer >= ${min}` : `an integer in ${min}..${max}`;
          throw new RangeError(`Invalid value for --${name}: want ${want}, got ${JSON.stringify(value)}`);
        }
        return n;
      },
    });
  }
}

/** `--agents=drover,vmagent`. */
export function parseAgents(value: string): AgentKind[] {
  const list = value.split(",").filter((s) => s !== "");
  for (const k of list) {
    if (k !== "drover" && k !== "vmagent") {
      throw new RangeError(`Invalid value for --agents: unknown agent ${JSON.stringify(k)}`);
    }
  }
  if (list.length === 0) throw new RangeError("Invalid value for --agents: list is empty");
  return list as AgentKind[];
}

/** The error for an argument a benchmark does not know. */
export function unknownArg(name: string): SyntaxError {
  return new SyntaxError(`Unknown argument --${name}`);
}

/** Options every benchmark has; `stallSeconds`/`timeoutSeconds` only where it has them. */
export interface CommonOptions {
  warmup: number;
  drainSeconds: number;
  stallSeconds?: number;
  timeoutSeconds?: number;
  agents: AgentKind[];
  out: string;
}

/** Defaults of `--agents` (both, Drover first) and `--out` (bench/results). */
export function commonDefaults(): { agents: AgentKind[]; out: string } {
  return { agents: ["drover", "vmagent"], out: join(ROOT, "bench", "results") };
}

/**
 * Takes `--warmup`, `--drain-seconds`, `--out`, `--agents`, and
 * `--stall-seconds`/`--timeout-seconds` when `o` has them; any other
 * argument is unknown.
 */
export function commonArg(o: CommonOptions, a: Arg): void {
  switch (a.name) {
    case "warmup":
      o.warmup = a.int(0);
      return;
    case "drain-seconds":
      o.drainSeconds = a.int(1);
      return;
    case "stall-seconds":
      if (o.stallSeconds === undefined) break;
      o.stallSeconds = a.int(1);
      return;
    case "timeout-seconds":
      if (o.timeoutSeconds === undefined) break;
      o.timeoutSeconds = a.int(1);
      return;
    case "out":
      o.out = a.value;
      return;
    case "agents":
      o.agents = parseAgents(a.value);
      return;
  }
  throw unknownArg(a.name);
}
