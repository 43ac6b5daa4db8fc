/**
 * The relay benchmark's corpus: pre-encoded, snappy-compressed remote-write
 * requests shaped like node-exporter scrapes of a fleet of hosts, built once
 * before any clock starts so encoding never counts against an agent.
 *
 * @module
 */

import { snappyCompress } from "../protocols/_shared/snappy.ts";
import { BlockBuilder } from "../protocols/promremotewrite/encode.ts";

/** One node-exporter series without its host labels: name, own labels, and whether it is a counter. */
interface SeriesTemplate {
  name: string;
  labels: [string, string][];
  counter: boolean;
}

const CPU_MODES = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"];
const FILESYSTEMS: [string, string, string][] = [
  ["/dev/nvme0n1p1", "/", "ext4"],
  ["/dev/nvme0n1p15", "/boot/efi", "vfat"],
  ["/dev/nvme1n1", "/var/lib/docker", "xfs"],
  ["tmpfs", "/run", "tmpfs"],
];
const MEMINFO = [
  "MemTotal",
  "MemFree",
  "MemAvailable",
  "Buffers",
  "Cached",
  "SwapCached",
  "Active",
  "Inactive",
  "Active_anon",
  "Inactive_anon",
  "Active_file",
  "Inactive_file",
  "Unevictable",
  "Mlocked",
  "SwapTotal",
  "SwapFree",
  "Dirty",
  "Writeback",
  "AnonPages",
  "Mapped",
  "Shmem",
  "Slab",
  "SReclaimable",
  "SUnreclaim",
  "KernelStack",
  "PageTables",
  "CommitLimit",
  "Committed_AS",
  "VmallocTotal",
  "HugePages_Total",
];
const MISC: [string, boolean][] = [
  ["node_load1", false],
  ["node_load5", false],
  ["node_load15", false],
  ["node_boot_time_seconds", false],
  ["node_context_switches_total", true],
  ["node_intr_total", true],
  ["node_procs_running", false],
  ["node_procs_blocked", false],
  ["node_forks_total", true],
  ["node_time_seconds", false],
];

/** The 171 series of one host, shaped like a real node-exporter scrape. */
function hostTemplate(): SeriesTemplate[] {
  const t: SeriesTemplate[] = [];
  const add = (name: string, labels: [string, string][], counter: boolean): void => {
    t.push({ name, labels, counter });
  };
  for (let cpu = 0; cpu < 8; cpu++) {
    for (const mode of CPU_MODES) add("node_cpu_seconds_total", [["cpu", String(cpu)], ["mode", mode]], true);
  }
  for (const m of ["avail_bytes", "size_bytes", "free_bytes", "files", "files_free"]) {
    for (const [device, mountpoint, fstype] of FILESYSTEMS) {
      add(`node_filesystem_${m}`, [["device", device], ["fstype", fstype], ["mountpoint", mountpoint]], false);
    }
  }
  for (const dir of ["receive", "transmit"]) {
    for (const m of ["bytes", "packets", "errs", "drop"]) {
      for (const device of ["eth0", "eth1", "lo"]) add(`node_network_${dir}_${m}_total`, [["device", device]], true);
    }
  }
  for (const m of ["read_bytes", "written_bytes", "reads_completed", "writes_completed", "io_time_seconds"]) {
    for (const device of ["nvme0n1", "nvme1n1", "dm-0"]) add(`node_disk_${m}_total`, [["device", device]], true);
  }
  for (const m of MEMINFO) add(`node_memory_${m}_bytes`, [], false);
  for (const [name, counter] of MISC) add(name, [], counter);
  for (const chip of ["platform_coretemp_0", "pci0000:00_0000:00:1d_0_0000:3d:00_0"]) {
    for (const sensor of ["temp1", "temp2", "temp3", "temp4"]) {
      add("node_hwmon_temp_celsius", [["chip", chip], ["sensor", sensor]], false);
    }
  }
  return t;
}

/** Labels shared by all series of host `h`; with __name__ and a series' own labels that makes 8–11 labels. */
function hostLabels(h: number): [string, string][] {
  const ip = `10.${20 + (h >> 16)}.${(h >> 8) & 255}.${h & 255}`;
  const region = ["eu-west-1", "us-east-1", "ap-southeast-2"][h % 3] ?? "eu-west-1";
  return [
    ["instance", `${ip}:9100`],
    ["job", "node-exporter"],
    ["cluster", `prod-${region}-${h % 5}`],
    ["region", region],
    ["availability_zone", `${region}${"abc"[h % 3]}`],
    ["node", `ip-${ip.replaceAll(".", "-")}.${region}.compute.internal`],
    ["namespace", "monitoring"],
  ];
}

/** Pre-encoded request bodies plus what the report needs to know about them. Bodies are never mutated. */
export interface Corpus {
  bodies: Uint8Array[];
  samplesPerRequest: number;
  uniqueSeries: number;
  avgBodyBytes: number;
  avgRawBytes: number;
  buildSeconds: number;
}

/**
 * Builds `bodies` requests of `series` series × 1 sample over a fleet of
 * `hosts` hosts. The request stream walks the fleet in order like a scrape
 * loop: each pass over all hosts is one 15 s scrape round, so consecutive
 * requests hold different series and a series recurs only with a later
 * timestamp (until a sender cycles through the whole pool and starts again).
 */
export function buildCorpus(o: { series: number; hosts: number; bodies: number }): Corpus {
  const started = performance.now();
  const tpl = hostTemplate();
  const universe = tpl.length * o.hosts;
  // Label sets of every series, sorted by name as the remote-write spec requires of senders.
  const labelSets: [string, string][][] = [];
  for (let h = 0; h < o.hosts; h++) {
    const hl = hostLabels(h);
    for (const st of tpl) {
      const ls: [string, string][] = [["__name__", st.name], ...hl, ...st.labels];
      labelSets.push(ls.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    }
  }
  const rounds = Math.ceil((o.bodies * o.series) / universe) + 1;
  // Every timestamp lies in the recent past so victoria-metrics accepts all of them.
  const t0 = Math.floor(Date.now() / 15_000) * 15_000 - rounds * 15_000;
  const b = new BlockBuilder(4 << 20);
  const bodies: Uint8Array[] = [];
  let raw = 0;
  let next = 0; // index of the series in the whole request stream
  for (let r = 0; r < o.bodies; r++) {
    b.reset();
    for (let s = 0; s < o.series; s++, next++) {
      const round = Math.floor(next / universe);
      const idx = next % universe;
      const h = Math.floor(idx / tpl.length);
      const st = tpl[idx % tpl.length]!;
      b.beginSeries();
      for (const [n, v] of labelSets[idx]!) b.addLabel(n, v);
      const base = ((idx * 2654435761) % 1_000_003) / 7;
      const value = st.counter ? base * 100 + round * ((idx % 97) + 0.25) : base + Math.sin(round + idx) * 10;
      // Scrapes of different hosts are not aligned: spread them over the 15 s interval.
      b.addSample(value, t0 + round * 15_000 + ((h * 7919) % 15_000));
      b.endSeries();
    }
    const body = b.finish();
    raw += body.byteLength;
    bodies.push(snappyCompress(body));
  }
  const total = bodies.reduce((n, x) => n + x.byteLength, 0);
  return {
    bodies,
    samplesPerRequest: o.series,
    uniqueSeries: Math.min(universe, o.bodies * o.series),
    avgBodyBytes: Math.round(total / bodies.length),
    avgRawBytes: Math.round(raw / bodies.length),
    buildSeconds: (performance.now() - started) / 1000,
  };
}
