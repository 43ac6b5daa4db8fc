/**
 * The push benchmark's options and scenario table: which endpoint or
 * listener each protocol uses, how its corpus is built and how its table is
 * titled.
 *
 * @module
 */

import { commonArg, commonDefaults, readArgs } from "./_args.ts";
import {
  buildGraphiteCorpus,
  buildInfluxCorpus,
  buildOpenTSDBCorpus,
  buildPrometheusCorpus,
  type PushCorpus,
} from "./_push_corpus.ts";
import { buildDatadogCorpus, buildOtlpCorpus } from "./_push_corpus_json.ts";
import type { AgentKind } from "./_procs.ts";
import { fmtInt } from "./_report.ts";

// ---- options ---------------------------------------------------------------

/** Every scenario, in the order `--scenario=all` runs them. */
export const SCENARIOS = ["influx", "graphite", "opentsdb", "prometheus", "datadog", "otlp"] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface Options {
  scenarios: Scenario[];
  seconds: number;
  /** Total samples/s offered; 0 = saturation. */
  rate: number;
  concurrency: number;
  connections: number;
  lines: number;
  hosts: number;
  bodies: number;
  blockLines: number;
  blocks: number;
  promSeries: number;
  ddSeries: number;
  otlpResources: number;
  warmup: number;
  drainSeconds: number;
  stallSeconds: number;
  timeoutSeconds: number;
  agents: AgentKind[];
  out: string;
}

export const DEFAULTS: Options = {
  scenarios: [...SCENARIOS],
  seconds: 15,
  rate: 0,
  concurrency: 8,
  connections: 4,
  lines: 10_000,
  hosts: 1000,
  bodies: 48,
  blockLines: 1000,
  blocks: 128,
  promSeries: 200,
  ddSeries: 3000,
  otlpResources: 40,
  warmup: 2,
  drainSeconds: 45,
  stallSeconds: 15,
  timeoutSeconds: 30,
  ...commonDefaults(),
};

export function parseArgs(argv: string[]): Options {
  const o: Options = { ...DEFAULTS };
  readArgs(argv, (a) => {
    const { name, value, int } = a;
    switch (name) {
      case "scenario": {
        const list = value.split(",").filter((s) => s !== "");
        if (list.length === 0) throw new RangeError("Invalid value for --scenario: list is empty");
        const out: Scenario[] = [];
        for (const s of list) {
          if (s === "all") out.push(...SCENARIOS);
          else if ((SCENARIOS as readonly string[]).includes(s)) out.push(s as Scenario);
          else {throw new RangeError(
              `Invalid value for --scenario: want all or a list of ${SCENARIOS.join(", ")}, got ${JSON.stringify(s)}`,
            );}
        }
        o.scenarios = [...new Set(out)];
        break;
      }
      case "seconds":
        o.seconds = int(1);
        break;
      case "rate":
        o.rate = int(0);
        break;
      case "concurrency":
        o.concurrency = int(1);
        break;
      case "connections":
        o.connections = int(1);
        break;
      case "lines":
        o.lines = int(1);
        break;
      case "hosts":
        o.hosts = int(1);
        break;
      case "bodies":
        o.bodies = int(1);
        break;
      case "block-lines":
        o.blockLines = int(1);
        break;
      case "blocks":
        o.blocks = int(1);
        break;
      case "prom-series":
        o.promSeries = int(1);
        break;
      case "dd-series":
        o.ddSeries = int(1);
        break;
      case "otlp-resources":
        o.otlpResources = int(1);
        break;
      default:
        commonArg(o, a);
    }
  });
  return o;
}

// ---- scenarios -------------------------------------------------------------

/** How one scenario reaches the agents and what its corpus looks like. */
export interface ScenarioDef {
  /** HTTP: POST to `target` on the agent's -httpListenAddr. TCP: stream to the listener of flag `target`. */
  transport: "http" | "tcp";
  target: string;
  /** Request Content-Type (HTTP). */
  contentType: string;
  /** `type` label of the agent's `vmagent_rows_inserted_total` and `vm_rows_invalid_total`. */
  rowType: string;
  /** Why vmagent v1.79.5 cannot take this scenario ("" = it can). Such a scenario runs Drover only. */
  noVmagent: string;
  /** Progress line before the corpus is built. */
  describe(o: Options): string;
  build(o: Options): PushCorpus;
  /** Table title without offered rate and duration. */
  title(o: Options, c: PushCorpus): string;
}

export const SCENARIO: Record<Scenario, ScenarioDef> = {
  influx: {
    transport: "http",
    target: "/write",
    contentType: "text/plain",
    rowType: "influx",
    noVmagent: "",
    describe: (o) => `influx corpus: ${o.bodies} bodies × ${o.lines} lines (${o.hosts} hosts)`,
    build: (o) => buildInfluxCorpus(o),
    title: (o) => `Influx line protocol, HTTP POST /write, ${o.lines} lines/request, concurrency ${o.concurrency}`,
  },
  graphite: {
    transport: "tcp",
    target: "graphiteListenAddr",
    contentType: "",
    rowType: "graphite",
    noVmagent: "",
    describe: (o) => `graphite corpus: ${o.blocks} blocks × ${o.blockLines} lines (${o.hosts} hosts)`,
    build: (o) => buildGraphiteCorpus(o),
    title: (o) => `Graphite plaintext, TCP, ${o.connections} connections, ${o.blockLines}-line blocks`,
  },
  opentsdb: {
    transport: "tcp",
    target: "opentsdbListenAddr",
    contentType: "",
    rowType: "opentsdb",
    noVmagent: "",
    describe: (o) => `opentsdb corpus: ${o.blocks} blocks × ${o.blockLines} put lines (${o.hosts} hosts)`,
    build: (o) => buildOpenTSDBCorpus(o),
    title: (o) => `OpenTSDB telnet put, TCP, ${o.connections} connections, ${o.blockLines}-line blocks`,
  },
  prometheus: {
    transport: "http",
    target: "/api/v1/import/prometheus",
    contentType: "text/plain; version=0.0.4",
    rowType: "prometheus",
    noVmagent: "",
    describe: (o) =>
      `prometheus corpus: ${o.bodies} bodies × ${o.lines} samples (${o.hosts} hosts × ${o.promSeries} series)`,
    build: (o) => buildPrometheusCorpus({ ...o, seriesPerHost: o.promSeries }),
    title: (o) =>
      `Prometheus text, HTTP POST /api/v1/import/prometheus, ${o.lines} samples/request, concurrency ${o.concurrency}`,
  },
  datadog: {
    transport: "http",
    target: "/datadog/api/v1/series",
    contentType: "application/json",
    rowType: "datadog",
    noVmagent: "",
    describe: (o) => `datadog corpus: ${o.bodies} bodies × ${o.ddSeries} series (${o.hosts} hosts)`,
    build: (o) => buildDatadogCorpus({ ...o, seriesPerRequest: o.ddSeries }),
    title: (o) =>
      `DataDog v1 series JSON, HTTP POST /datadog/api/v1/series, ${o.ddSeries} series/request, concurrency ${o.concurrency}`,
  },
  otlp: {
    transport: "http",
    target: "/opentelemetry/v1/metrics",
    contentType: "application/x-protobuf",
    rowType: "opentelemetry",
    noVmagent:
      "vmagent v1.79.5 has no /opentelemetry/v1/metrics endpoint (OpenTelemetry ingestion came in later releases), " +
      "so only Drover ran; its figures are absolute, with no ratio",
    describe: (o) => `otlp corpus: ${o.bodies} requests × ${o.otlpResources} resources (${o.hosts} hosts)`,
    build: (o) => buildOtlpCorpus({ ...o, resourcesPerRequest: o.otlpResources }),
    title: (o, c) =>
      `OpenTelemetry OTLP/HTTP protobuf, POST /opentelemetry/v1/metrics, ${o.otlpResources} resources ` +
      `(${fmtInt(c.avgSamplesPerPayload)} points)/request, concurrency ${o.concurrency}`,
  },
};

/** `n` samples/s as `500k` or `1.5M`. */
export function shortRate(n: number): string {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`;
  return fmtInt(n);
}
