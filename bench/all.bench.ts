/**
 * Every end-to-end benchmark in one run (`npm run bench`): the relay, every
 * push scenario and the scrape scenarios (default, saturation, 1M series and
 * the 3-member cluster), Drover and vmagent side by side in each. Each
 * benchmark runs as its own process, one after the other, and writes its own
 * JSON; this one then prints a summary table of the headline ratios and
 * writes it to `bench/results/all-<UTC timestamp>.json` and `.md`.
 *
 * Run: bun bench/all.bench.ts [--quick] [--only=relay,push,scrape]
 *
 * `--quick` shortens every push phase (a smoke run: noisier figures).
 *
 * @module
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readArgs, unknownArg } from "./_args.ts";
import { log, machineInfo, writeResults } from "./_report.ts";

type Bench = "relay" | "push" | "scrape";
const BENCHES: readonly Bench[] = ["relay", "push", "scrape"];

interface Options {
  quick: boolean;
  only: Bench[];
  out: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, only: [...BENCHES], out: join(import.meta.dir, "results") };
  readArgs(
    argv,
    ({ name, value }) => {
      switch (name) {
        case "only": {
          const list = value.split(",").filter((s) => s !== "");
          for (const b of list) {
            if (!(BENCHES as readonly string[]).includes(b)) {
              throw new RangeError(
                `Invalid value for --only: want a list of ${BENCHES.join(", ")}, got ${JSON.stringify(b)}`,
              );
            }
          }
          if (list.length === 0) throw new RangeError("Invalid value for --only: list is empty");
          o.only = list as Bench[];
          break;
        }
        case "out":
          o.out = value;
          break;
        default:
          throw unknownArg(name);
      }
    },
    (a) => {
      if (a !== "--quick") return false;
      o.quick = true;
      return true;
    },
  );
  return o;
}

/** The command line of each benchmark, full length or `--quick`. */
function argsOf(b: Bench, o: Options): string[][] {
  const out = `--out=${o.out}`;
  switch (b) {
    case "relay":
      return [[out, ...(o.quick ? ["--seconds=8"] : [])]];
    case "push":
      return [[out, ...(o.quick ? ["--seconds=6"] : [])]];
    case "scrape":
      // The cluster runs on its own: `--cluster` selects only it.
      return [
        [
          out,
          "--scenario=default,saturation,million",
          ...(o.quick ? ["--seconds=15", "--sat-seconds=10", "--mil-seconds=35"] : []),
        ],
        [out, "--cluster", ...(o.quick ? ["--cluster-seconds=15"] : [])],
      ];
  }
}

/** Runs one benchmark process with its output streaming through; returns the JSON it wrote. */
async function run(b: Bench, args: string[]): Promise<unknown> {
  log(`\n######## bench/${b}.bench.ts ${args.join(" ")}`);
  const p = Bun.spawn([process.execPath, join(import.meta.dir, `${b}.bench.ts`), ...args], {
    stdout: "pipe",
    stderr: "inherit",
  });
  let text = "";
  const dec = new TextDecoder();
  for await (const chunk of p.stdout) {
    const s = dec.decode(chunk, { stream: true });
    text += s;
    process.stdout.write(s);
  }
  const code = await p.exited;
  if (code !== 0) throw new Error(`bench/${b}.bench.ts exited with ${code}`);
  const m = /\nwrote (\S+\.json)\n/.exec(text);
  if (m === null) throw new Error(`bench/${b}.bench.ts did not say which file it wrote`);
  return JSON.parse(readFileSync(m[1]!, "utf8"));
}

/** One line of the summary: Drover ÷ vmagent for the headline figures. */
interface Line {
  scenario: string;
  /** Samples per agent CPU-second (higher is better). */
  efficiency: number;
  /** Samples accepted (push) or scraped per second. */
  throughput: number;
  peakRss: number;
  /** Drover's delivered ÷ sent (absolute, not a ratio). */
  delivered: number;
  /** Drover's absolute samples per CPU-second, for scenarios vmagent cannot run. */
  droverSamplesPerCpuSecond: number;
}

type Json = Record<string, unknown>;
type Ratios = Record<string, number | null>;

const num = (x: unknown): number => (typeof x === "number" ? x : NaN);

function droverOf(results: unknown): Json {
  return ((results as Json[]).find((r) => r.agent === "drover") ?? {}) as Json;
}

function linesOf(b: Bench, json: Json): Line[] {
  if (b === "relay") {
    const r = json.ratios as Ratios;
    const d = droverOf(json.results);
    return [{
      scenario: "relay (remote write)",
      efficiency: num(r.samplesPerCpuSecond),
      throughput: num(r.samplesPerSecond),
      peakRss: num(r.peakRssBytes),
      delivered: num(d.deliveredRatio),
      droverSamplesPerCpuSecond: num(d.samplesPerCpuSecond),
    }];
  }
  if (b === "push") {
    const sc = json.scenarios as Record<string, { results: unknown; ratios: Ratios }>;
    return Object.entries(sc).map(([name, s]) => {
      const d = droverOf(s.results);
      return {
        scenario: `push ${name}`,
        efficiency: num(s.ratios.samplesPerCpuSecond),
        throughput: num(s.ratios.samplesPerSecond),
        peakRss: num(s.ratios.peakRssBytes),
        delivered: num(d.deliveredRatio),
        droverSamplesPerCpuSecond: num(d.samplesPerCpuSecond),
      };
    });
  }
  const sc = json.scenarios as { scenario: Json; results: unknown; ratios: Ratios }[];
  return sc.map((s) => {
    const d = droverOf(s.results);
    const c = s.scenario;
    return {
      scenario: `scrape ${c.name} (${c.targets} × ${c.series} @ ${c.interval}s${
        num(c.members) > 1 ? `, ${c.members} members` : ""
      })`,
      efficiency: num(s.ratios.samplesPerCpuSecond),
      throughput: num(s.ratios.samplesPerSecond),
      peakRss: num(s.ratios.peakRssSumBytes ?? s.ratios.peakRssBytes),
      delivered: num(d.deliveredRatio),
      droverSamplesPerCpuSecond: num(d.samplesPerCpuSecond),
    };
  });
}

const ratio = (n: number): string => (Number.isFinite(n) ? `${n.toFixed(2)}×` : "n/a");

function markdown(lines: Line[]): string {
  const head = "| scenario | samples per CPU-second | samples/s | peak RSS | delivered/sent |\n|---|---|---|---|---|\n";
  return head + lines
    .map((l) => {
      const eff = Number.isFinite(l.efficiency)
        ? ratio(l.efficiency)
        : `n/a (Drover ${Math.round(l.droverSamplesPerCpuSecond).toLocaleString("en-US")}/CPU-s)`;
      return `| ${l.scenario} | ${eff} | ${ratio(l.throughput)} | ${ratio(l.peakRss)} | ${
        Number.isFinite(l.delivered) ? l.delivered.toFixed(4) : "n/a"
      } |`;
    })
    .join("\n");
}

async function main(): Promise<void> {
  const o = parseArgs(Bun.argv.slice(2));
  const started = Date.now();
  const lines: Line[] = [];
  const files: unknown[] = [];
  for (const b of o.only) {
    for (const args of argsOf(b, o)) {
      const json = (await run(b, args)) as Json;
      files.push({ bench: b, args, date: json.date });
      lines.push(...linesOf(b, json));
    }
  }
  const md = "Ratios are Drover ÷ vmagent from one run of `npm run bench" + (o.quick ? " -- --quick" : "") +
    "`: higher is better for " +
    "samples per CPU-second and samples/s, lower for peak RSS. delivered/sent is Drover's own.\n\n" + markdown(lines) +
    "\n";
  process.stdout.write(`\n######## summary (${((Date.now() - started) / 60000).toFixed(1)} min)\n\n${md}`);
  const file = writeResults(o.out, "all", {
    date: new Date().toISOString(),
    machine: machineInfo(),
    options: o,
    runs: files,
    summary: lines,
  });
  writeFileSync(file.replace(/\.json$/, ".md"), md);
  process.stdout.write(`\nwrote ${file}\n`);
}

await main();
