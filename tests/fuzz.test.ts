/**
 * Bounded fuzzing of every push parser: at least 100k mutated inputs each,
 * built from the protocol's seed corpus (`protocols/<p>/testdata.ts`). Every
 * input must either parse, or be rejected with a ParseError (SyntaxError for
 * the remote-write relay): no other exception, no hang, no unbounded output,
 * and whatever was written must decode as a valid WriteRequest.
 *
 * The generator is seeded, so a failure prints an input that reproduces.
 */
import { describe, expect, test } from "bun:test";
import { ContentKind, ParseError, type ProtocolParser } from "../protocols/_shared/protocol.ts";
import { SeriesWriter } from "../protocols/_shared/series_writer.ts";
import { decodeWriteRequest, relayWriteRequest } from "../protocols/promremotewrite/decode.ts";
import { BlockBuilder } from "../protocols/promremotewrite/encode.ts";
import { PARSERS } from "../workers/_parsers.ts";
import { parseFlags, type PushConfig } from "../config/flags.ts";

const INPUTS_PER_PARSER = 100_000;
/** One input taking longer than this is treated as a hang. */
const SLOW_INPUT_MS = 2_000;

const TOKENS = [
  "\n",
  "\r\n",
  " ",
  "\t",
  ",",
  "=",
  ";",
  ":",
  "\\",
  '"',
  "'",
  "{",
  "}",
  "[",
  "]",
  "#",
  "NaN",
  "+Inf",
  "-Inf",
  "1e309",
  "-0",
  "9007199254740993",
  "-1",
  "0",
  "i",
  "u",
  "t",
  "false",
  "null",
  "put ",
  "\u00e9",
  "\ud83d\ude00",
  "\u0000",
  "e",
  ".",
  "__name__",
  '"\\""',
].map((t) => new TextEncoder().encode(t));

/** xorshift32: deterministic and fast. */
function rng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function mutate(seeds: readonly Uint8Array[], r: () => number): Uint8Array {
  const pick = () => seeds[Math.floor(r() * seeds.length)]!;
  let b = pick().slice();
  const ops = 1 + Math.floor(r() * 4);
  for (let k = 0; k < ops; k++) {
    const at = Math.floor(r() * (b.length + 1));
    switch (Math.floor(r() * 7)) {
      case 0: // bit flip
        if (b.length > 0) b[at % b.length]! ^= 1 << Math.floor(r() * 8);
        break;
      case 1: // truncate
        b = b.subarray(0, at);
        break;
      case 2: { // insert a token
        const t = TOKENS[Math.floor(r() * TOKENS.length)]!;
        const n = new Uint8Array(b.length + t.length);
        n.set(b.subarray(0, at));
        n.set(t, at);
        n.set(b.subarray(at), at + t.length);
        b = n;
        break;
      }
      case 3: { // delete a range
        const end = Math.min(b.length, at + Math.floor(r() * 16));
        const n = new Uint8Array(b.length - (end - Math.min(at, b.length)));
        n.set(b.subarray(0, at));
        n.set(b.subarray(end), Math.min(at, b.length));
        b = n;
        break;
      }
      case 4: { // splice with another seed
        const o = pick();
        const from = Math.floor(r() * (o.length + 1));
        const n = new Uint8Array(at + o.length - from);
        n.set(b.subarray(0, at));
        n.set(o.subarray(from), at);
        b = n;
        break;
      }
      case 5: // random byte
        if (b.length > 0) b[at % b.length] = Math.floor(r() * 256);
        break;
      default: { // duplicate a region
        const from = Math.min(at, b.length);
        const len = Math.min(64, b.length - from);
        const n = new Uint8Array(b.length + len);
        n.set(b.subarray(0, from + len));
        n.set(b.subarray(from, from + len), from + len);
        n.set(b.subarray(from + len), from + 2 * len);
        b = n;
        break;
      }
    }
  }
  return b;
}

const cfgResult = parseFlags([], { env: {}, cpus: 2 });
if (cfgResult.kind !== "config") throw new Error("BUG: default flags do not parse");
const PUSH: PushConfig = cfgResult.config.push;

interface Target {
  name: string;
  seeds: readonly Uint8Array[];
  /** Parses one input; must throw only the allowed error class. */
  run: (input: Uint8Array, out: BlockBuilder) => void;
  allowed: (err: unknown) => boolean;
}

function parserTarget(p: ProtocolParser, seeds: readonly Uint8Array[], params = ""): Target {
  return {
    name: p.name,
    seeds,
    allowed: (e) => e instanceof ParseError,
    run: (input, out) => {
      const w = new SeriesWriter(out, [], () => undefined);
      p.parse(input, {
        params: new URLSearchParams(params),
        config: PUSH,
        contentType: ContentKind.Other,
        nowMs: 1_700_000_000_000,
        w,
        invalidLine: () => undefined,
      });
    },
  };
}

async function seedsOf(folder: string): Promise<Uint8Array[]> {
  const mod = (await import(`../protocols/${folder}/testdata.ts`)) as { SEEDS: readonly (string | Uint8Array)[] };
  return mod.SEEDS.map((s) => (typeof s === "string" ? new TextEncoder().encode(s) : s));
}

function remoteWriteSeeds(): Uint8Array[] {
  const seeds: Uint8Array[] = [];
  for (let k = 0; k < 8; k++) {
    const b = new BlockBuilder();
    for (let i = 0; i < k + 1; i++) {
      b.beginSeries();
      b.addLabel("__name__", `m${k}`);
      b.addLabel("i", "x".repeat(i * 7));
      b.addSample(i * 1.5, 1_700_000_000_000 - i * 1e12);
      b.addStaleMarker(1_700_000_000_001);
      b.endSeries();
    }
    seeds.push(b.finish());
  }
  return seeds;
}

/** Protocol folder of each registered parser, for its seed corpus. */
const FOLDER_BY_NAME: Record<string, string> = {
  influx: "influx",
  graphite: "graphite",
  opentsdb: "opentsdb",
  opentsdbhttp: "opentsdbhttp",
  datadog: "datadog",
  datadogv2: "datadogv2",
  csvimport: "csvimport",
  vmimport: "vmimport",
  prometheus: "prometheus",
  opentelemetry: "opentelemetry",
};

async function targets(): Promise<Target[]> {
  const out: Target[] = [
    {
      name: "promremotewrite",
      seeds: remoteWriteSeeds(),
      allowed: (e) => e instanceof SyntaxError,
      run: (input, b) => void relayWriteRequest(input, b, { setLabels: [["a", "b"]], dropEmptyAndInternal: true }),
    },
  ];
  for (const p of PARSERS.values()) {
    const folder = FOLDER_BY_NAME[p.name];
    if (folder === undefined) throw new Error(`no seed folder known for parser ${p.name}; add it to FOLDER_BY_NAME`);
    // CSV needs a format; the others ignore unknown args.
    out.push(parserTarget(p, await seedsOf(folder), "format=1:label:a,2:metric:m,3:time:unix_ms&db=fuzz"));
  }
  return out;
}

describe("fuzz", async () => {
  for (const t of await targets()) {
    test(`${t.name}: ${INPUTS_PER_PARSER} mutated inputs parse or fail cleanly`, () => {
      const r = rng(0x5eed + t.name.length);
      const out = new BlockBuilder();
      let rejected = 0;
      for (let i = 0; i < INPUTS_PER_PARSER; i++) {
        const input = mutate(t.seeds, r);
        const start = performance.now();
        try {
          t.run(input, out);
        } catch (err: unknown) {
          if (!t.allowed(err)) {
            throw new Error(`input #${i} ${JSON.stringify(new TextDecoder().decode(input))} threw ${String(err)}`, {
              cause: err,
            });
          }
          rejected++;
        }
        const took = performance.now() - start;
        if (took > SLOW_INPUT_MS) {
          throw new Error(`input #${i} took ${took.toFixed(0)}ms: ${JSON.stringify(new TextDecoder().decode(input))}`);
        }
        if (out.byteLength > 1 << 20 || i === INPUTS_PER_PARSER - 1) {
          // What parsers wrote must always be a valid WriteRequest.
          decodeWriteRequest(out.finish());
          out.reset();
        }
      }
      expect(rejected).toBeLessThan(INPUTS_PER_PARSER);
    });
  }
});
