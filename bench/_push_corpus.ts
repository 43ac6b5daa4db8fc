/**
 * The push benchmark's corpora, built once before any clock starts so
 * formatting never counts against an agent: InfluxDB line-protocol request
 * bodies shaped like Telegraf's system inputs, Graphite plaintext and
 * OpenTSDB telnet `put` blocks shaped like a collectd/Diamond/tcollector
 * fleet and Prometheus text bodies shaped like node-exporter pages (the
 * DataDog JSON and OTLP protobuf corpora are in _push_corpus_json.ts). All walk a fleet of hosts like a collection loop (10 s rounds,
 * hosts spread over the interval), so a series comes back only with a later
 * timestamp and a new value until the pool is used up and the senders start
 * again at its beginning.
 *
 * @module
 */

import { nodeFamilies } from "./_scrape_farm.ts";

/** Pre-built payloads plus what the report needs to know about them. Payloads are never mutated. */
export interface PushCorpus {
  /** HTTP request bodies or TCP write blocks (the latter each ending in a newline, so no line is cut). */
  payloads: Uint8Array[];
  /**
   * Samples in `payloads[i]`: fields for Influx (one sample per field), lines
   * for Graphite and OpenTSDB, sample lines for Prometheus, points for
   * DataDog, number data points for OTLP.
   */
  samples: number[];
  /** Lines in `payloads[i]` (Prometheus: with `# HELP`/`# TYPE`; DataDog: series; OTLP: resources). */
  lines: number[];
  uniqueSeries: number;
  avgPayloadBytes: number;
  avgSamplesPerPayload: number;
  buildSeconds: number;
}

/** Regions the hosts are spread over (shared with _push_corpus_json.ts). */
export const REGIONS = ["eu-west-1", "us-east-1", "ap-southeast-2"];
/** One collection round. */
export const ROUND_MS = 10_000;

/** Cheap deterministic pseudo-random value in [0, 1) for (series, round). */
export function rnd(a: number, b: number): number {
  const x = Math.sin(a * 12.9898 + b * 78.233) * 43758.5453;
  return x - Math.floor(x);
}

/** Wraps built payloads with the figures the report shows. */
export function finish(
  started: number,
  payloads: Uint8Array[],
  samples: number[],
  lines: number[],
  uniqueSeries: number,
): PushCorpus {
  const bytes = payloads.reduce((n, p) => n + p.byteLength, 0);
  const total = samples.reduce((n, s) => n + s, 0);
  return {
    payloads,
    samples,
    lines,
    uniqueSeries,
    avgPayloadBytes: Math.round(bytes / payloads.length),
    avgSamplesPerPayload: Math.round(total / payloads.length),
    buildSeconds: (performance.now() - started) / 1000,
  };
}

// ---- Influx ------------------------------------------------------------------

/** One Telegraf line of a host without values: measurement+tags prefix (tags sorted by key) and fields. */
interface InfluxTemplate {
  prefix: string;
  fields: string[];
  /** Fields written as integers (`123i`), like Telegraf's counters. */
  ints: boolean;
}

/** The 13 lines (54 fields, 3–5 tags each) one host reports per round. */
function influxHost(h: number): InfluxTemplate[] {
  const region = REGIONS[h % 3]!;
  const host = `web-${region.slice(0, 2)}-${String(h).padStart(4, "0")}`;
  const dc = `${region}${"abc"[h % 3]}`;
  const t: InfluxTemplate[] = [];
  for (const cpu of ["cpu-total", "cpu0", "cpu1", "cpu2", "cpu3"]) {
    t.push({
      prefix: `cpu,cpu=${cpu},host=${host},region=${region}`,
      fields: ["usage_user", "usage_system", "usage_idle", "usage_iowait"],
      ints: false,
    });
  }
  t.push({
    prefix: `mem,dc=${dc},host=${host},region=${region}`,
    fields: ["used_percent", "available_percent", "cached", "free", "used"],
    ints: false,
  });
  for (const [path, device] of [["/", "nvme0n1p1"], ["/var", "nvme1n1"]] as const) {
    t.push({
      prefix: `disk,dc=${dc},device=${device},fstype=ext4,host=${host},path=${path}`,
      fields: ["free", "used", "used_percent", "inodes_free"],
      ints: false,
    });
  }
  for (const name of ["nvme0n1", "nvme1n1"]) {
    t.push({
      prefix: `diskio,dc=${dc},host=${host},name=${name},region=${region}`,
      fields: ["reads", "writes", "read_bytes", "write_bytes", "io_time"],
      ints: true,
    });
  }
  for (const iface of ["eth0", "eth1"]) {
    t.push({
      prefix: `net,host=${host},interface=${iface},region=${region}`,
      fields: ["bytes_sent", "bytes_recv", "packets_sent", "packets_recv"],
      ints: true,
    });
  }
  t.push({
    prefix: `system,dc=${dc},host=${host},region=${region}`,
    fields: ["load1", "load5", "load15"],
    ints: false,
  });
  return t;
}

/**
 * Builds `bodies` `/write` bodies of `lines` lines each over a fleet of
 * `hosts` hosts; timestamps are nanoseconds in the recent past.
 */
export function buildInfluxCorpus(o: { lines: number; hosts: number; bodies: number }): PushCorpus {
  const started = performance.now();
  const tpl: InfluxTemplate[] = [];
  for (let h = 0; h < o.hosts; h++) tpl.push(...influxHost(h));
  const perHost = tpl.length / o.hosts;
  const rounds = Math.ceil((o.bodies * o.lines) / tpl.length) + 1;
  const t0 = Math.floor(Date.now() / ROUND_MS) * ROUND_MS - rounds * ROUND_MS;
  const enc = new TextEncoder();
  const payloads: Uint8Array[] = [];
  const samples: number[] = [];
  const lines: number[] = [];
  let next = 0;
  for (let b = 0; b < o.bodies; b++) {
    const parts: string[] = [];
    let n = 0;
    for (let l = 0; l < o.lines; l++, next++) {
      const round = Math.floor(next / tpl.length);
      const idx = next % tpl.length;
      const t = tpl[idx]!;
      const h = Math.floor(idx / perHost);
      let line = `${t.prefix} `;
      for (let f = 0; f < t.fields.length; f++) {
        const r = rnd(idx * 8 + f, round);
        const v = t.ints
          ? `${Math.floor(((idx * 7919 + f) % 100_000) * 1000 + round * 97 * (1 + r))}i`
          : (r * 100).toFixed(3);
        line += `${f === 0 ? "" : ","}${t.fields[f]}=${v}`;
      }
      // Milliseconds spread over the round, written as nanoseconds like Telegraf's default precision.
      line += ` ${t0 + round * ROUND_MS + ((h * 7919) % ROUND_MS)}000000\n`;
      parts.push(line);
      n += t.fields.length;
    }
    payloads.push(enc.encode(parts.join("")));
    samples.push(n);
    lines.push(o.lines);
  }
  const fieldsTotal = tpl.reduce((s, t) => s + t.fields.length, 0);
  const unique = Math.min(fieldsTotal, Math.round((fieldsTotal / tpl.length) * o.bodies * o.lines));
  return finish(started, payloads, samples, lines, unique);
}

// ---- Graphite ----------------------------------------------------------------

/** The 16 metric paths (without the host prefix) one host reports per round. */
const GRAPHITE_METRICS = [
  "cpu.user",
  "cpu.system",
  "cpu.idle",
  "cpu.iowait",
  "memory.used",
  "memory.free",
  "memory.cached",
  "disk.root.free",
  "disk.root.used",
  "disk.var.free",
  "disk.var.used",
  "net.eth0.rx_bytes",
  "net.eth0.tx_bytes",
  "load.1m",
  "load.5m",
  "load.15m",
];

/**
 * Builds `blocks` write blocks of `blockLines` lines each over a fleet of
 * `hosts` hosts; every fourth host tags its series (`;env=prod;team=web`).
 * Timestamps are unix seconds in the recent past.
 */
export function buildGraphiteCorpus(o: { blockLines: number; hosts: number; blocks: number }): PushCorpus {
  const started = performance.now();
  const names: string[] = [];
  for (let h = 0; h < o.hosts; h++) {
    const region = REGIONS[h % 3]!;
    const tags = h % 4 === 0 ? `;env=prod;team=web;dc=${region}${"abc"[h % 3]}` : "";
    for (const m of GRAPHITE_METRICS) {
      names.push(`servers.${region}.rack${h % 40}.host${String(h).padStart(4, "0")}.${m}${tags}`);
    }
  }
  const rounds = Math.ceil((o.blocks * o.blockLines) / names.length) + 1;
  const t0s = Math.floor(Date.now() / ROUND_MS) * (ROUND_MS / 1000) - rounds * (ROUND_MS / 1000);
  const enc = new TextEncoder();
  const payloads: Uint8Array[] = [];
  const samples: number[] = [];
  const lines: number[] = [];
  let next = 0;
  for (let b = 0; b < o.blocks; b++) {
    const parts: string[] = [];
    for (let l = 0; l < o.blockLines; l++, next++) {
      const round = Math.floor(next / names.length);
      const idx = next % names.length;
      const h = Math.floor(idx / GRAPHITE_METRICS.length);
      const v = (rnd(idx, round) * 1000).toFixed(2);
      parts.push(`${names[idx]} ${v} ${t0s + round * (ROUND_MS / 1000) + (h % (ROUND_MS / 1000))}\n`);
    }
    payloads.push(enc.encode(parts.join("")));
    samples.push(o.blockLines);
    lines.push(o.blockLines);
  }
  return finish(started, payloads, samples, lines, Math.min(names.length, o.blocks * o.blockLines));
}

// ---- OpenTSDB ----------------------------------------------------------------

/** The 27 `put` series (metric, own tags) one host reports per round, tcollector-style; `true` = counter. */
const OPENTSDB_METRICS: [string, string, boolean][] = [
  ...[0, 1, 2, 3].flatMap((c) =>
    ["user", "system", "idle", "iowait"].map((m): [string, string, boolean] => [`sys.cpu.${m}`, ` cpu=${c}`, true])
  ),
  ...["used", "free", "cached", "buffers"].map((m): [string, string, boolean] => [`sys.mem.${m}`, "", false]),
  ...["1m", "5m", "15m"].map((m): [string, string, boolean] => [`sys.load.${m}`, "", false]),
  ...["bytes_in", "bytes_out", "packets_in", "packets_out"].map((
    m,
  ): [string, string, boolean] => [`sys.net.${m}`, " iface=eth0", true]),
];

/**
 * Builds `blocks` write blocks of `blockLines` OpenTSDB telnet lines each
 * (`put sys.cpu.user 1764000000 12345.67 host=web-0042 cpu=0 dc=eu-west-1a env=prod`,
 * 3–5 tags) over a fleet of `hosts` hosts, 27 series per host. Timestamps are
 * unix seconds in the recent past; counters grow, gauges wander.
 */
export function buildOpenTSDBCorpus(o: { blockLines: number; hosts: number; blocks: number }): PushCorpus {
  const started = performance.now();
  // Everything of a line but timestamp and value: `put <metric> ` and ` <tags>\n`.
  const heads: string[] = [];
  const tails: string[] = [];
  const counters: boolean[] = [];
  for (let h = 0; h < o.hosts; h++) {
    const region = REGIONS[h % 3]!;
    const host = `host=web-${String(h).padStart(4, "0")}`;
    for (const [metric, tags, counter] of OPENTSDB_METRICS) {
      heads.push(`put ${metric} `);
      tails.push(` ${host}${tags} dc=${region}${"abc"[h % 3]} env=${h % 10 === 0 ? "staging" : "prod"}\n`);
      counters.push(counter);
    }
  }
  const universe = heads.length;
  const rounds = Math.ceil((o.blocks * o.blockLines) / universe) + 1;
  const t0s = Math.floor(Date.now() / ROUND_MS) * (ROUND_MS / 1000) - rounds * (ROUND_MS / 1000);
  const enc = new TextEncoder();
  const payloads: Uint8Array[] = [];
  const samples: number[] = [];
  const lines: number[] = [];
  let next = 0;
  for (let b = 0; b < o.blocks; b++) {
    const parts: string[] = [];
    for (let l = 0; l < o.blockLines; l++, next++) {
      const round = Math.floor(next / universe);
      const idx = next % universe;
      const h = Math.floor(idx / OPENTSDB_METRICS.length);
      const r = rnd(idx, round);
      const v = counters[idx]!
        ? (((idx * 7919) % 100_000) * 10 + round * (50 + r * 10)).toFixed(2)
        : (r * 100).toFixed(2);
      parts.push(`${heads[idx]}${t0s + round * (ROUND_MS / 1000) + (h % (ROUND_MS / 1000))} ${v}${tails[idx]}`);
    }
    payloads.push(enc.encode(parts.join("")));
    samples.push(o.blockLines);
    lines.push(o.blockLines);
  }
  return finish(started, payloads, samples, lines, Math.min(universe, o.blocks * o.blockLines));
}

// ---- Prometheus text -----------------------------------------------------------

/**
 * Builds `bodies` `/api/v1/import/prometheus` bodies of `lines` sample lines
 * each over a fleet of `hosts` hosts with `seriesPerHost` node-exporter
 * series each (the scrape farm's families: `node_cpu_seconds_total{cpu,mode}`,
 * `node_network_*`, `node_disk_*`, `node_filesystem_*`, `node_memory_*`…).
 * Each host's page is written as node-exporter does, families with their
 * `# HELP` and `# TYPE` lines, every sample line with `instance` and `job`
 * first and a millisecond timestamp in the recent past
 * (`node_cpu_seconds_total{instance="10.20.0.42:9100",job="node",cpu="0",mode="idle"} 123456.78 1764000000000`).
 */
export function buildPrometheusCorpus(
  o: { lines: number; hosts: number; bodies: number; seriesPerHost: number },
): PushCorpus {
  const started = performance.now();
  // One host's page without host labels: per series the family header (first series only), name and own labels.
  const tpl: { header: string; name: string; labels: string; counter: boolean }[] = [];
  for (const f of nodeFamilies(o.seriesPerHost)) {
    f.series.forEach((s, i) => {
      tpl.push({
        header: i === 0 ? `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n` : "",
        name: f.name,
        labels: s === "" ? "" : `,${s.slice(1, -1)}`,
        counter: f.type === "counter",
      });
    });
  }
  const hostLabels: string[] = [];
  for (let h = 0; h < o.hosts; h++) {
    hostLabels.push(`{instance="10.${20 + (h >> 16)}.${(h >> 8) & 255}.${h & 255}:9100",job="node"`);
  }
  const universe = tpl.length * o.hosts;
  const rounds = Math.ceil((o.bodies * o.lines) / universe) + 1;
  const t0 = Math.floor(Date.now() / ROUND_MS) * ROUND_MS - rounds * ROUND_MS;
  const enc = new TextEncoder();
  const payloads: Uint8Array[] = [];
  const samples: number[] = [];
  const lines: number[] = [];
  let next = 0;
  for (let b = 0; b < o.bodies; b++) {
    const parts: string[] = [];
    let n = 0;
    for (let l = 0; l < o.lines; l++, next++) {
      const round = Math.floor(next / universe);
      const idx = next % universe;
      const h = Math.floor(idx / tpl.length);
      const t = tpl[idx % tpl.length]!;
      const base = ((idx * 2654435761) % 1_000_003) / 7;
      const v = t.counter ? base * 100 + round * ((idx % 97) + 0.25) : base + Math.sin(round + idx) * 10;
      if (t.header !== "") n += 2;
      parts.push(
        `${t.header}${t.name}${hostLabels[h]}${t.labels}} ${v.toFixed(2)} ${
          t0 + round * ROUND_MS + ((h * 7919) % ROUND_MS)
        }\n`,
      );
    }
    payloads.push(enc.encode(parts.join("")));
    samples.push(o.lines);
    lines.push(o.lines + n);
  }
  return finish(started, payloads, samples, lines, Math.min(universe, o.bodies * o.lines));
}
