/**
 * The push benchmark's structured corpora: DataDog v1 series JSON shaped
 * like the DataDog agent's system checks, and OTLP protobuf requests shaped
 * like the OpenTelemetry collector's hostmetrics receiver. Same fleet walk as
 * the line-protocol corpora in _push_corpus.ts.
 *
 * @module
 */

import { PbWriter } from "./_pb_writer.ts";
import { finish, type PushCorpus, REGIONS, rnd, ROUND_MS } from "./_push_corpus.ts";

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
