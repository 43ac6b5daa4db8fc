/**
 * Shared machinery of polling discoverers: {@linkcode RefreshLoop} runs
 * discovery rounds every check interval and reports changed target lists;
 * {@linkcode DirWatcher} turns filesystem events into debounced callbacks.
 *
 * Both live on the thread that created them, own their timers and watchers,
 * and release everything in an idempotent `stop()`/`close()`.
 *
 * @module
 */

import { type FSWatcher, watch } from "node:fs";
import type { Discoverer, DiscoveryContext, TargetLabels } from "./types.ts";

/**
 * One discovery round. Returns the full target list, or throws to keep the
 * previous list (the error is logged). `signal` aborts when the loop stops.
 */
export type DiscoveryRound = (signal: AbortSignal) => Promise<readonly TargetLabels[]>;

/**
 * A discoverer that polls: subclasses write one {@linkcode DiscoveryRound}
 * (`round`), and a {@linkcode RefreshLoop} runs it every check interval.
 */
export abstract class PollingDiscoverer implements Discoverer {
  readonly name: string;
  readonly #loop: RefreshLoop;

  constructor(name: string, ctx: DiscoveryContext) {
    this.name = name;
    this.#loop = new RefreshLoop(name, ctx, (signal) => this.round(signal));
  }

  /** One discovery round (see {@linkcode DiscoveryRound}). */
  protected abstract round(signal: AbortSignal): Promise<readonly TargetLabels[]>;

  start(onUpdate: (targets: readonly TargetLabels[]) => void): void {
    this.#loop.start(onUpdate);
  }

  stop(): void {
    this.#loop.stop();
  }
}

/**
 * Runs `round` at start and then `ctx.checkIntervalMs` after each round ends
 * (rounds never overlap). `onUpdate` gets the full list after the first round
 * (even when it failed or is empty) and then whenever the list changes.
 */
export class RefreshLoop {
  readonly #ctx: DiscoveryContext;
  readonly #name: string;
  readonly #round: DiscoveryRound;
  #onUpdate: ((targets: readonly TargetLabels[]) => void) | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #abort: AbortController | null = null;
  #started = false;
  #stopped = false;
  #running = false;
  #rerun = false;
  #reported = false;
  #lastKey = "";
  #current: readonly TargetLabels[] = [];

  constructor(name: string, ctx: DiscoveryContext, round: DiscoveryRound) {
    this.#name = name;
    this.#ctx = ctx;
    this.#round = round;
  }

  /** The list last reported (empty before the first round). */
  get targets(): readonly TargetLabels[] {
    return this.#current;
  }

  start(onUpdate: (targets: readonly TargetLabels[]) => void): void {
    if (this.#started || this.#stopped) return;
    this.#started = true;
    this.#onUpdate = onUpdate;
    void this.#run();
  }

  /** Asks for a round now (or right after the running one) instead of at the next tick. */
  trigger(): void {
    if (!this.#started || this.#stopped) return;
    if (this.#running) {
      this.#rerun = true;
      return;
    }
    this.#clearTimer();
    void this.#run();
  }

  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#clearTimer();
    this.#abort?.abort();
    this.#abort = null;
    this.#onUpdate = null;
  }

  #clearTimer(): void {
    if (this.#timer !== null) {
      (this.#ctx.clearTimeout ?? clearTimeout)(this.#timer);
      this.#timer = null;
    }
  }

  async #run(): Promise<void> {
    this.#running = true;
    const abort = new AbortController();
    this.#abort = abort;
    let targets: readonly TargetLabels[] | null = null;
    try {
      targets = await this.#round(abort.signal);
    } catch (e) {
      if (!this.#stopped) {
        const msg = e instanceof Error ? e.message : String(e);
        this.#ctx.log.error(`${this.#name}: ${msg}; keeping the previously discovered targets`);
      }
    }
    this.#running = false;
    if (this.#stopped) return;
    this.#abort = null;
    if (targets !== null) {
      const key = JSON.stringify(targets);
      if (key !== this.#lastKey || !this.#reported) {
        this.#lastKey = key;
        this.#current = targets;
        this.#report();
      }
    } else if (!this.#reported) {
      this.#report();
    }
    if (this.#stopped) return;
    if (this.#rerun) {
      this.#rerun = false;
      void this.#run();
      return;
    }
    this.#timer = (this.#ctx.setTimeout ?? setTimeout)(() => {
      this.#timer = null;
      if (!this.#stopped) void this.#run();
    }, this.#ctx.checkIntervalMs);
  }

  #report(): void {
    this.#reported = true;
    try {
      this.#onUpdate?.(this.#current);
    } catch (e) {
      this.#ctx.log.error(`${this.#name}: target update failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/**
 * Watches a set of directories (non-recursively) and calls `onChange` once per
 * burst of events, `debounceMs` after the first. A directory that cannot be
 * watched (missing, permissions) is skipped silently: the caller's periodic
 * re-check is the fallback, and `setDirs()` retries it on every call.
 */
export class DirWatcher {
  readonly #onChange: () => void;
  readonly #debounceMs: number;
  readonly #ctx: DiscoveryContext;
  readonly #watchers = new Map<string, FSWatcher>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(ctx: DiscoveryContext, onChange: () => void, debounceMs = 100) {
    this.#ctx = ctx;
    this.#onChange = onChange;
    this.#debounceMs = debounceMs;
  }

  /** Replaces the watched set with `dirs`. */
  setDirs(dirs: Iterable<string>): void {
    if (this.#closed) return;
    const want = new Set(dirs);
    for (const [dir, w] of this.#watchers) {
      if (!want.has(dir)) {
        w.close();
        this.#watchers.delete(dir);
      }
    }
    for (const dir of want) {
      if (this.#watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: true }, () => this.#event());
        w.on("error", () => {
          w.close();
          if (this.#watchers.get(dir) === w) this.#watchers.delete(dir);
          this.#event();
        });
        this.#watchers.set(dir, w);
      } catch {
        // Not watchable now; retried on the next setDirs().
      }
    }
  }

  /** Directories currently watched (for tests and debugging). */
  get dirs(): string[] {
    return [...this.#watchers.keys()];
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.#watchers.values()) w.close();
    this.#watchers.clear();
    if (this.#timer !== null) {
      (this.#ctx.clearTimeout ?? clearTimeout)(this.#timer);
      this.#timer = null;
    }
  }

  #event(): void {
    if (this.#closed || this.#timer !== null) return;
    this.#timer = (this.#ctx.setTimeout ?? setTimeout)(() => {
      this.#timer = null;
      if (!this.#closed) this.#onChange();
    }, this.#debounceMs);
  }
}
