/**
 * Integration-test helpers: start real processes (victoria-metrics, Drover,
 * vmagent) on 127.0.0.1 with ports chosen at run time, wait for conditions
 * instead of sleeping, and stop every process by its PID.
 *
 * A missing external binary skips a test locally but fails it when `CI` is
 * set, so CI can never pass by not testing.
 *
 * @module
 */

import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { snappyCompress } from "../protocols/_shared/snappy.ts";
import { BlockBuilder } from "../protocols/promremotewrite/encode.ts";

export const ROOT = resolve(import.meta.dir, "..");
export const BUN = process.execPath;

/** True when the binary is on PATH. Under CI a missing binary throws. */
export function have(bin: string): boolean {
  if (Bun.which(bin) !== null) return true;
  if (process.env.CI) throw new Error(`${bin} is required in CI but is not installed; see .ci/run`);
  return false;
}

/** A fresh temp dir, removed by the returned disposer. */
export function tempDir(prefix = "drover-test-"): { path: string; [Symbol.dispose](): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, [Symbol.dispose]: () => rmSync(path, { recursive: true, force: true }) };
}

/** A port that was free a moment ago (bind to 0, read, close). */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a !== null ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

/** Polls `cond` every 50ms until true or `timeoutMs` passes (then throws `what`). */
export async function waitFor(what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await cond()) return;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

/** A child process with its captured stderr. */
export class Proc {
  readonly proc: Subprocess<"ignore", "pipe", "pipe">;
  readonly name: string;
  output = "";
  #done: Promise<void>;

  constructor(name: string, cmd: string[], env?: Record<string, string>, cwd = ROOT) {
    this.name = name;
    this.proc = Bun.spawn(cmd, {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, ...env },
      cwd,
    });
    this.#done = Promise.all([this.#pump(this.proc.stdout), this.#pump(this.proc.stderr)]).then(() => undefined);
  }

  async #pump(stream: ReadableStream<Uint8Array>): Promise<void> {
    const dec = new TextDecoder();
    for await (const chunk of stream) this.output += dec.decode(chunk, { stream: true });
  }

  get pid(): number {
    return this.proc.pid;
  }

  /** SIGTERM and wait for exit; returns the exit code. */
  async stop(): Promise<number> {
    this.proc.kill("SIGTERM");
    const code = await this.proc.exited;
    await this.#done;
    return code;
  }

  /** SIGKILL and wait. */
  async kill(): Promise<void> {
    this.proc.kill("SIGKILL");
    await this.proc.exited;
    await this.#done;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) await this.kill();
  }
}

/** A real single-node VictoriaMetrics on a free port. */
export class VictoriaMetrics {
  readonly port: number;
  readonly dir: { path: string; [Symbol.dispose](): void };
  readonly p: Proc;

  private constructor(port: number, dir: { path: string; [Symbol.dispose](): void }, p: Proc) {
    this.port = port;
    this.dir = dir;
    this.p = p;
  }

  /** Starts VictoriaMetrics; `port` lets a test bring a remote "back" at a known address. */
  static async start(extraArgs: string[] = [], port?: number): Promise<VictoriaMetrics> {
    port ??= await freePort();
    const dir = tempDir("drover-vm-");
    const p = new Proc("victoria-metrics", [
      "victoria-metrics",
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${dir.path}`,
      "-retentionPeriod=100y",
      "-loggerLevel=ERROR",
      "-search.disableCache",
      ...extraArgs,
    ]);
    const vm = new VictoriaMetrics(port, dir, p);
    await waitFor("victoria-metrics /health", async () => (await fetch(`${vm.url}/health`)).ok).catch(
      async (err: unknown) => {
        await p.kill();
        dir[Symbol.dispose]();
        throw err;
      },
    );
    return vm;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get writeURL(): string {
    return `${this.url}/api/v1/write`;
  }

  /** All series matching `match` via /api/v1/export (after a force flush). */
  async export(match = '{__name__=~".+"}'): Promise<ExportedSeries[]> {
    await fetch(`${this.url}/internal/force_flush`);
    const res = await fetch(`${this.url}/api/v1/export?match[]=${encodeURIComponent(match)}`);
    if (!res.ok) throw new Error(`export failed: ${res.status} ${await res.text()}`);
    return parseExport(await res.text());
  }

  /** Total number of samples stored for `match`. */
  async sampleCount(match = '{__name__=~".+"}'): Promise<number> {
    let n = 0;
    for (const s of await this.export(match)) n += s.values.length;
    return n;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.p.stop();
    this.dir[Symbol.dispose]();
  }
}

/**
 * Parses VictoriaMetrics export JSON lines. Values may be the bare tokens
 * `NaN`, `+Inf` and `-Inf`, which are not JSON: they are quoted first and
 * turned into numbers after parsing.
 */
export function parseExport(text: string): ExportedSeries[] {
  const special: Record<string, number> = { NaN: NaN, "+Inf": Infinity, "-Inf": -Infinity, Inf: Infinity };
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const s = JSON.parse(l.replace(/([[,])(NaN|[+-]?Inf)(?=[,\]])/g, '$1"$2"')) as {
        metric: Record<string, string>;
        values: (number | string | null)[];
        timestamps: number[];
      };
      // Stale markers are exported as null.
      return { ...s, values: s.values.map((v) => (typeof v === "string" ? special[v]! : v === null ? NaN : v)) };
    });
}

export interface ExportedSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

/** A Drover process started from main.ts (or the compiled binary). */
export class Drover {
  readonly p: Proc;
  readonly port: number;

  private constructor(p: Proc, port: number) {
    this.p = p;
    this.port = port;
  }

  /** Starts Drover with `args`, on a free port unless -httpListenAddr is given. */
  static async start(
    args: string[],
    opts: { binary?: string; env?: Record<string, string>; cwd?: string } = {},
  ): Promise<Drover> {
    const cmd = opts.binary !== undefined ? [opts.binary] : [BUN, join(ROOT, "main.ts")];
    const listen = args.find((a) => a.startsWith("-httpListenAddr="));
    const hasListen = listen !== undefined;
    const port = hasListen ? Number(listen.slice(listen.lastIndexOf(":") + 1)) : await freePort();
    const p = new Proc(
      "drover",
      [...cmd, ...(hasListen ? [] : [`-httpListenAddr=127.0.0.1:${port}`]), ...args],
      opts.env,
      opts.cwd,
    );
    const d = new Drover(p, port);
    // If it never becomes healthy, stop it here: the caller has no handle to dispose.
    await waitFor(
      `drover to listen (output so far: ${p.output.slice(-500)})`,
      async () => {
        if (p.proc.exitCode !== null) throw new Error(`drover exited early: ${p.output}`);
        return (await fetch(`${d.url}/health`)).ok;
      },
      30_000,
    ).catch(async (err: unknown) => {
      await p.kill();
      throw err;
    });
    return d;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Sends a snappy-compressed WriteRequest; returns the response. */
  async write(body: Uint8Array, query = ""): Promise<Response> {
    return fetch(`${this.url}/api/v1/write${query}`, {
      method: "POST",
      body,
      headers: { "Content-Encoding": "snappy", "Content-Type": "application/x-protobuf" },
    });
  }

  /** The value of one self-metric series (exact key) from /metrics, or 0. */
  async metric(key: string): Promise<number> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    for (const line of text.split("\n")) {
      const sp = line.lastIndexOf(" ");
      if (line.slice(0, sp) === key) return Number(line.slice(sp + 1));
    }
    return 0;
  }

  /** Sum of all series of metric `name` (any labels) from /metrics. */
  async metricSum(name: string): Promise<number> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    let sum = 0;
    for (const line of text.split("\n")) {
      if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) {
        sum += Number(line.slice(line.lastIndexOf(" ") + 1));
      }
    }
    return sum;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.p.proc.exitCode === null && this.p.proc.signalCode === null) await this.p.kill();
  }
}

/**
 * Builds a snappy-compressed WriteRequest of `series` series with
 * `samplesPerSeries` samples each; metric names carry `prefix` so tests can
 * tell batches apart.
 */
export function makeWriteRequest(opts: {
  prefix: string;
  series: number;
  samplesPerSeries?: number;
  startMs?: number;
  labels?: number;
}): Uint8Array {
  const b = new BlockBuilder();
  const n = opts.samplesPerSeries ?? 1;
  const t0 = opts.startMs ?? 1_700_000_000_000;
  for (let i = 0; i < opts.series; i++) {
    b.beginSeries();
    b.addLabel("__name__", `${opts.prefix}_metric`);
    b.addLabel("series", String(i));
    for (let l = 0; l < (opts.labels ?? 3); l++) b.addLabel(`label${l}`, `value-${l}-${i % 7}`);
    for (let s = 0; s < n; s++) b.addSample(i + s / 10, t0 + s * 1000);
    b.endSeries();
  }
  return snappyCompress(b.finish());
}

/** The real vmagent (Debian package `victoria-metrics`), for differential tests. */
export class VmAgent {
  readonly p: Proc;
  readonly port: number;
  readonly dir: { path: string; [Symbol.dispose](): void };

  private constructor(p: Proc, port: number, dir: { path: string; [Symbol.dispose](): void }) {
    this.p = p;
    this.port = port;
    this.dir = dir;
  }

  static async start(args: string[]): Promise<VmAgent> {
    const port = await freePort();
    const dir = tempDir("drover-vmagent-");
    const p = new Proc("vmagent", [
      "vmagent",
      `-httpListenAddr=127.0.0.1:${port}`,
      `-remoteWrite.tmpDataPath=${dir.path}`,
      "-loggerLevel=ERROR",
      ...args,
    ]);
    const a = new VmAgent(p, port, dir);
    await waitFor("vmagent /health", async () => (await fetch(`${a.url}/health`)).ok).catch(async (err: unknown) => {
      await p.kill();
      dir[Symbol.dispose]();
      throw err;
    });
    return a;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.p.proc.exitCode === null && this.p.proc.signalCode === null) await this.p.stop();
    this.dir[Symbol.dispose]();
  }
}

/** Series sorted canonically (labels sorted by name), for comparing two exports. */
export function canonical(series: ExportedSeries[], opts: { maskTimestamps?: boolean } = {}): string[] {
  return series
    .map((s) => {
      const metric = Object.fromEntries(Object.entries(s.metric).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      const pairs = s.values.map((v, i) => [opts.maskTimestamps ? 0 : s.timestamps[i]!, v] as const);
      pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      return JSON.stringify({ metric, samples: pairs });
    })
    .sort();
}

export type AgentRole = "vmagent" | "drover";

/**
 * Runs the same input through the real vmagent and through Drover, each into
 * its own victoria-metrics, and returns both canonical exports once both
 * have `expectSamples` samples (or have stopped changing).
 */
export async function differential(opts: {
  /** Flags given to both agents. */
  agentArgs: string[];
  /** Flags given to Drover only (e.g. to select v1.79.5 behaviour that later vmagents changed). */
  droverArgs?: string[];
  /** Flags that must differ per agent, e.g. `-graphiteListenAddr=127.0.0.1:<free port>`. */
  perAgentArgs?: (role: AgentRole) => string[] | Promise<string[]>;
  /** Sends the input to one agent; `baseURL` is its HTTP address. */
  send: (baseURL: string, role: AgentRole) => Promise<void>;
  expectSamples?: number;
  maskTimestamps?: boolean;
}): Promise<{ vmagent: string[]; drover: string[] }> {
  await using vmA = await VictoriaMetrics.start();
  await using vmD = await VictoriaMetrics.start();
  const extra = opts.perAgentArgs ?? (() => []);
  await using agent = await VmAgent.start([
    `-remoteWrite.url=${vmA.writeURL}`,
    ...opts.agentArgs,
    ...(await extra("vmagent")),
  ]);
  using dir = tempDir();
  await using drover = await Drover.start([
    `-remoteWrite.url=${vmD.writeURL}`,
    `-remoteWrite.tmpDataPath=${dir.path}`,
    ...opts.agentArgs,
    ...(opts.droverArgs ?? []),
    ...(await extra("drover")),
  ]);
  await opts.send(agent.url, "vmagent");
  await opts.send(drover.url, "drover");
  for (const vm of [vmA, vmD]) {
    if (opts.expectSamples !== undefined) {
      const want = opts.expectSamples;
      await waitFor(`${want} samples`, async () => (await vm.sampleCount()) >= want, 30_000);
    } else {
      // Wait until the count is non-zero and stable for 1.5 s (vmagent flushes every 1 s).
      let last = -1;
      let stableSince = Date.now();
      await waitFor("a stable export", async () => {
        const n = await vm.sampleCount();
        if (n !== last) {
          last = n;
          stableSince = Date.now();
        }
        return n > 0 && Date.now() - stableSince > 1500;
      }, 30_000);
    }
  }
  const m = { maskTimestamps: opts.maskTimestamps ?? false };
  return { vmagent: canonical(await vmA.export(), m), drover: canonical(await vmD.export(), m) };
}
