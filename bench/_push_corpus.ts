/**
 * The push benchmark's corpora, built once before any clock starts so
 * formatting never counts against an agent: InfluxDB line-protocol request
 * bodies shaped like Telegraf's system inputs, Graphite plaintext and
 * OpenTSDB telnet `put` blocks shaped like a collectd/Diamond/tcollector
 * fleet, Prometheus text bodies shaped like node-exporter pages, DataDog v1
 * series JSON shaped like the DataDog agent's system checks, and OTLP
 * protobuf requests shaped like the OpenTelemetry collector's hostmetrics
 * receiver. All walk a fleet of hosts like a collection loop (10 s rounds,
 * hosts spread over the interval), so a series comes back only with a later
 * timestamp and a new value until the pool is used up and the senders start
 * again at its beginning.
 *
 * @module
 */

import { PbWriter } from "./_pb_writer.ts";
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

const REGIONS = ["eu-west-1", "us-east-1", "ap-southeast-2"];
const ROUND_MS = 10_000;

/** Cheap deterministic pseudo-random value in [0, 1) for (series, round). */
function rnd(a: number, b: number): number {
  const x = Math.sin(a * 12.9898 + b * 78.233) * 43758.5453;
  return x - Math.floor(x);
}

function finish(
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

// ---- DataDog v1 ----------------------------------------------------------------

/** The 30 series (metric, type, own tag) the DataDog agent's system checks send per host per round. */
const DATADOG_METRICS: [string, "gauge" | "rate", string][] = [
  ...["user", "system", "idle", "iowait", "stolen"].map((
    m,
  ): [string, "gauge", string] => [`system.cpu.${m}`, "gauge", ""]),
  ...["1", "5", "15", "norm.1", "norm.5", "norm.15"].map((
    m,
  ): [string, "gauge", string] => [`system.load.${m}`, "gauge", ""]),
  ...["total", "used", "free", "usable", "cached", "buffered"].map((
    m,
  ): [string, "gauge", string] => [`system.mem.${m}`, "gauge", ""]),
  ["system.swap.used", "gauge", ""],
  ["system.swap.free", "gauge", ""],
  ...["nvme0n1", "nvme1n1"].flatMap((d) =>
    ["used", "free", "in_use"].map((m): [string, "gauge", string] => [`system.disk.${m}`, "gauge", `device:${d}`])
  ),
  ["system.net.bytes_rcvd", "rate", "device:eth0"],
  ["system.net.bytes_sent", "rate", "device:eth0"],
  ["system.io.r_s", "rate", "device:nvme0n1"],
  ["system.io.w_s", "rate", "device:nvme0n1"],
  ["system.uptime", "gauge", ""],
];

/**
 * Builds `bodies` `/datadog/api/v1/series` bodies of `seriesPerRequest`
 * series × 1 point each over a fleet of `hosts` hosts, 30 series per host
 * with 6–7 tags (`env`, `role`, `region`, `availability-zone`, `service`,
 * `version`, and `device` for disk, network and I/O metrics):
 * `{"metric":"system.cpu.user","points":[[1764000000,12.5]],"tags":[…],"host":"web-0042","type":"gauge","interval":10}`.
 * Timestamps are unix seconds in the recent past. No `device` field: vmagent
 * v1.79.5 ignores it, current vmagent and Drover make it a label.
 */
export function buildDatadogCorpus(o: { hosts: number; bodies: number; seriesPerRequest: number }): PushCorpus {
  const started = performance.now();
  const roles = ["web", "db", "cache", "worker"];
  // Everything of a series object before and after its point.
  const heads: string[] = [];
  const tails: string[] = [];
  for (let h = 0; h < o.hosts; h++) {
    const region = REGIONS[h % 3]!;
    const role = roles[h % roles.length]!;
    const hostTags = [
      "env:prod",
      `role:${role}`,
      `region:${region}`,
      `availability-zone:${region}${"abc"[h % 3]}`,
      `service:${role}-api`,
      `version:1.${h % 7}.0`,
    ];
    const host = JSON.stringify(`${role}-${String(h).padStart(4, "0")}`);
    for (const [metric, type, tag] of DATADOG_METRICS) {
      heads.push(`{"metric":"${metric}","points":[[`);
      const tags = JSON.stringify(tag === "" ? hostTags : [...hostTags, tag]);
      tails.push(`]],"tags":${tags},"host":${host},"type":"${type}","interval":10}`);
    }
  }
  const universe = heads.length;
  const rounds = Math.ceil((o.bodies * o.seriesPerRequest) / universe) + 1;
  const t0s = Math.floor(Date.now() / ROUND_MS) * (ROUND_MS / 1000) - rounds * (ROUND_MS / 1000);
  const enc = new TextEncoder();
  const payloads: Uint8Array[] = [];
  const samples: number[] = [];
  const lines: number[] = [];
  let next = 0;
  for (let b = 0; b < o.bodies; b++) {
    const parts: string[] = [];
    for (let s = 0; s < o.seriesPerRequest; s++, next++) {
      const round = Math.floor(next / universe);
      const idx = next % universe;
      const h = Math.floor(idx / DATADOG_METRICS.length);
      const v = (rnd(idx, round) * 100).toFixed(3);
      parts.push(`${heads[idx]}${t0s + round * (ROUND_MS / 1000) + (h % (ROUND_MS / 1000))},${v}${tails[idx]}`);
    }
    payloads.push(enc.encode(`{"series":[${parts.join(",")}]}`));
    samples.push(o.seriesPerRequest);
    lines.push(o.seriesPerRequest);
  }
  return finish(started, payloads, samples, lines, Math.min(universe, o.bodies * o.seriesPerRequest));
}

// ---- OpenTelemetry OTLP/HTTP protobuf ----------------------------------------

/** Attribute sets along one dimension of a metric's data points; the points are the product of its axes. */
type Axis = [string, string][][];

const axis = (key: string, values: string[]): Axis => values.map((v) => [[key, v]]);
const CPU = axis("cpu", ["cpu0", "cpu1"]);
const CPU_STATE = axis("state", ["user", "system", "idle", "iowait"]);
const MEM_STATE = axis("state", ["used", "free", "buffered", "cached", "slab_reclaimable", "slab_unreclaimable"]);
const DISK = axis("device", ["nvme0n1", "nvme1n1", "dm-0"]);
const DIRECTION = axis("direction", ["read", "write"]);
const FS2: Axis = [[["device", "nvme0n1p1"], ["mountpoint", "/"]], [["device", "nvme1n1"], ["mountpoint", "/var"]]];
const FS5: Axis = [
  ...FS2,
  [["device", "nvme0n1p15"], ["mountpoint", "/boot/efi"]],
  [["device", "nvme1n1p2"], ["mountpoint", "/var/lib/docker"]],
  [["device", "nvme0n1p3"], ["mountpoint", "/home"]],
];
const NET = axis("device", ["eth0", "eth1", "lo", "docker0"]);
const NET_DIR = axis("direction", ["receive", "transmit"]);
const PROCS: Axis = [
  [["process.executable.name", "otelcol-contrib"], ["process.pid", "812"]],
  [["process.executable.name", "kubelet"], ["process.pid", "1021"]],
  [["process.executable.name", "containerd"], ["process.pid", "640"]],
];

/** The 20 metrics of the hostmetrics receiver one host sends per round: name, unit, kind, axes. */
const OTLP_METRICS: { name: string; unit: string; kind: "gauge" | "counter" | "updown"; axes: Axis[] }[] = [
  { name: "system.cpu.time", unit: "s", kind: "counter", axes: [CPU, CPU_STATE] },
  { name: "system.cpu.utilization", unit: "1", kind: "gauge", axes: [CPU, CPU_STATE] },
  { name: "system.memory.usage", unit: "By", kind: "updown", axes: [MEM_STATE, axis("type", ["physical"])] },
  { name: "system.memory.utilization", unit: "1", kind: "gauge", axes: [MEM_STATE, axis("type", ["physical"])] },
  {
    name: "system.paging.usage",
    unit: "By",
    kind: "updown",
    axes: [axis("device", ["/dev/dm-1", "/dev/zram0"]), axis("state", ["used", "free", "cached"])],
  },
  {
    name: "system.paging.operations",
    unit: "{operations}",
    kind: "counter",
    axes: [
      axis("device", ["/dev/dm-1", "/dev/zram0"]),
      axis("direction", ["page_in", "page_out"]),
      axis("type", ["major", "minor"]),
    ],
  },
  { name: "system.disk.io", unit: "By", kind: "counter", axes: [DISK, DIRECTION] },
  { name: "system.disk.operations", unit: "{operations}", kind: "counter", axes: [DISK, DIRECTION] },
  { name: "system.disk.operation_time", unit: "s", kind: "counter", axes: [DISK, DIRECTION] },
  { name: "system.disk.merged", unit: "{operations}", kind: "counter", axes: [DISK, DIRECTION] },
  {
    name: "system.filesystem.usage",
    unit: "By",
    kind: "updown",
    axes: [FS2, axis("state", ["used", "free", "reserved"])],
  },
  {
    name: "system.filesystem.inodes.usage",
    unit: "{inodes}",
    kind: "updown",
    axes: [FS2, axis("state", ["used", "free", "reserved"])],
  },
  { name: "system.filesystem.utilization", unit: "1", kind: "gauge", axes: [FS5, axis("mode", ["rw"])] },
  { name: "system.network.io", unit: "By", kind: "counter", axes: [NET, NET_DIR] },
  { name: "system.network.packets", unit: "{packets}", kind: "counter", axes: [NET, NET_DIR] },
  { name: "system.network.errors", unit: "{errors}", kind: "counter", axes: [NET, NET_DIR] },
  { name: "system.network.dropped", unit: "{packets}", kind: "counter", axes: [NET, NET_DIR] },
  {
    name: "system.network.connections",
    unit: "{connections}",
    kind: "updown",
    axes: [
      axis("protocol", ["tcp"]),
      axis("state", ["ESTABLISHED", "LISTEN", "TIME_WAIT", "CLOSE_WAIT", "SYN_SENT", "FIN_WAIT_1", "FIN_WAIT_2"]),
    ],
  },
  { name: "process.cpu.time", unit: "s", kind: "counter", axes: [PROCS, axis("state", ["user", "system"])] },
  { name: "process.memory.usage", unit: "By", kind: "updown", axes: [PROCS, axis("type", ["rss", "vms"])] },
];

/** Every attribute set of `axes`' product, in order. */
function pointAttributes(axes: Axis[]): [string, string][][] {
  let out: [string, string][][] = [[]];
  for (const ax of axes) out = out.flatMap((prefix) => ax.map((a) => [...prefix, ...a]));
  return out;
}

/** `attrs` encoded as repeated KeyValue fields numbered `field` (string values). */
function encodeAttributes(pb: PbWriter, field: number, attrs: [string, string][]): void {
  for (const [k, v] of attrs) pb.begin(field).string(1, k).begin(2).string(1, v).end().end();
}

/**
 * Builds `bodies` ExportMetricsServiceRequests of `resourcesPerRequest`
 * resources each over a fleet of `hosts` hosts: one resource per host with 5
 * attributes (`service.name`, `host.name`, `cloud.region`,
 * `cloud.availability_zone`, `deployment.environment`), one scope
 * (`otelcol/hostmetricsreceiver`), the 20 metrics of OTLP_METRICS (gauges,
 * and cumulative sums with a start time) with 4–8 number data points each
 * carrying 2–3 attributes, `time_unix_nano` in the recent past and
 * `as_double`. Encoded by hand (bench/_pb_writer.ts) with the field numbers
 * of protocols/opentelemetry/metrics.proto.
 */
export function buildOtlpCorpus(o: { hosts: number; bodies: number; resourcesPerRequest: number }): PushCorpus {
  const started = performance.now();
  const pb = new PbWriter();
  // Per metric: the encoded attributes of each data point (field 7 of NumberDataPoint).
  const points = OTLP_METRICS.map((m) =>
    pointAttributes(m.axes).map((a) => {
      encodeAttributes(pb, 7, a);
      return pb.finish();
    })
  );
  const perHost = points.reduce((n, p) => n + p.length, 0);
  // Per host: the encoded Resource message body (its attributes, field 1).
  const resources: Uint8Array[] = [];
  for (let h = 0; h < o.hosts; h++) {
    const region = REGIONS[h % 3]!;
    encodeAttributes(pb, 1, [
      ["service.name", "otelcol-hostmetrics"],
      ["host.name", `node-${String(h).padStart(4, "0")}.${region}.internal`],
      ["cloud.region", region],
      ["cloud.availability_zone", `${region}${"abc"[h % 3]}`],
      ["deployment.environment", h % 10 === 0 ? "staging" : "prod"],
    ]);
    resources.push(pb.finish());
  }
  const rounds = Math.ceil((o.bodies * o.resourcesPerRequest) / o.hosts) + 1;
  const t0 = Math.floor(Date.now() / ROUND_MS) * ROUND_MS - rounds * ROUND_MS;
  const startNs = BigInt(t0 - 86_400_000) * 1_000_000n;
  const payloads: Uint8Array[] = [];
  const samples: number[] = [];
  const lines: number[] = [];
  let next = 0; // index of the host in the whole request stream
  for (let b = 0; b < o.bodies; b++) {
    for (let r = 0; r < o.resourcesPerRequest; r++, next++) {
      const round = Math.floor(next / o.hosts);
      const h = next % o.hosts;
      const ns = BigInt(t0 + round * ROUND_MS + ((h * 7919) % ROUND_MS)) * 1_000_000n;
      pb.begin(1); // ResourceMetrics
      pb.bytes(1, resources[h]!); // Resource
      pb.begin(2); // ScopeMetrics
      pb.begin(1).string(1, "otelcol/hostmetricsreceiver").string(2, "0.115.0").end();
      OTLP_METRICS.forEach((m, mi) => {
        pb.begin(2).string(1, m.name).string(3, m.unit); // Metric
        pb.begin(m.kind === "gauge" ? 5 : 7); // Gauge or Sum
        points[mi]!.forEach((attrs, pi) => {
          const series = (h * OTLP_METRICS.length + mi) * 16 + pi;
          const x = rnd(series, round);
          const v = m.kind === "counter"
            ? ((series * 7919) % 100_000) * 1000 + round * 1000 * (1 + x)
            : m.unit === "1"
            ? x
            : ((series * 2654435761) % 1_000_003) * 4096 + x * 1e6;
          pb.begin(1).raw(attrs); // NumberDataPoint, starting with its attributes
          if (m.kind !== "gauge") pb.fixed64(2, startNs);
          pb.fixed64(3, ns).double(4, v).end();
        });
        if (m.kind !== "gauge") pb.uint(2, 2); // aggregation_temporality: cumulative
        if (m.kind === "counter") pb.uint(3, 1); // is_monotonic
        pb.end().end();
      });
      pb.end().end();
    }
    payloads.push(pb.finish());
    samples.push(o.resourcesPerRequest * perHost);
    lines.push(o.resourcesPerRequest);
  }
  return finish(started, payloads, samples, lines, Math.min(o.hosts, o.bodies * o.resourcesPerRequest) * perHost);
}
