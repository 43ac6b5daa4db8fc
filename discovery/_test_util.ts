/**
 * Helpers shared by the discovery tests: entries from plain data, a
 * capturing context and an update recorder with polling waits (never fixed
 * sleeps).
 *
 * @module
 */

import { yamlValueOf } from "../config/yaml.ts";
import type { DiscoveryContext, SDEntry, TargetLabels } from "./types.ts";

/** An entry from plain data, as the config loader would hand it over (without lines). */
export function sdEntry(raw: unknown, path: string, strict = true, baseDir = ""): SDEntry {
  return { raw, yaml: yamlValueOf(raw, { strict }), path, strict, baseDir };
}

/** A context whose log lines are kept in `logs`. */
export function testContext(
  baseDir: string,
  checkIntervalMs: number,
  extra: Record<string, unknown> = {},
): DiscoveryContext & { logs: string[] } {
  const logs: string[] = [];
  return {
    baseDir,
    checkIntervalMs,
    logs,
    log: {
      info: (m) => logs.push(`INFO ${m}`),
      warn: (m) => logs.push(`WARN ${m}`),
      error: (m) => logs.push(`ERROR ${m}`),
    },
    ...extra,
  };
}

/** Records every update; `waitFor` polls a predicate over the latest list. */
export class Updates {
  readonly all: (readonly TargetLabels[])[] = [];
  readonly onUpdate = (t: readonly TargetLabels[]): void => {
    this.all.push(t);
  };

  get last(): readonly TargetLabels[] | undefined {
    return this.all[this.all.length - 1];
  }

  /** Waits until an update satisfies `pred` (checked on the latest list). */
  async waitFor(
    what: string,
    pred: (t: readonly TargetLabels[]) => boolean,
    timeoutMs = 10_000,
  ): Promise<readonly TargetLabels[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const last = this.last;
      if (last !== undefined && pred(last)) return last;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; last update: ${JSON.stringify(last)}`);
      await Bun.sleep(20);
    }
  }
}

/** Polls `cond` every 20ms until true (throws after `timeoutMs`). */
export async function until(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

/** Targets sorted by address, for order-independent comparisons. */
export function sorted(t: readonly TargetLabels[] | undefined): TargetLabels[] {
  return [...(t ?? [])].sort((a, b) => (a.__address__ ?? "").localeCompare(b.__address__ ?? ""));
}
