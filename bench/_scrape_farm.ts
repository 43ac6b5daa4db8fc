/**
 * Scrape target farm for bench/scrape.bench.ts, run as its own `bun`
 * process so its CPU is not counted as the agent's (the benchmark measures
 * it separately from /proc).
 *
 * Serves `--targets` node-exporter-like pages of `--series` series each at
 * `/metrics/<k>`, spread over `--listeners` Bun.serve ports. Bodies are
 * rendered once; every value has a fixed width, so a scrape only rewrites
 * the value digits in place (counters grow, gauges wander) and sends a copy.
 *
 * Control endpoints (on every listener): `GET /farm/stats` (JSON counters,
 * `?reset=1` also zeroes them), `POST /farm/pause` (answer 503 to scrapes),
 * `POST /farm/resume`. Prints one JSON line `{"ports":[...]}` on stdout once
 * listening; exits on SIGTERM.
 *
 * Usage: bun bench/_scrape_farm.ts --targets=200 --series=1000 --listeners=4 --interval=5 [--gzip]
 *
 * @module
 */

/** Label pairs of one series, already rendered as `{a="b",...}` (or ""). */
interface SeriesDef {
  name: string;
  labels: string;
  counter: boolean;
}

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge";
  series: string[];
}

const MODES = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"];
const FS = [
  ["/dev/nvme0n1p2", "ext4", "/"],
  ["/dev/nvme0n1p1", "vfat", "/boot/efi"],
  ["tmpfs", "tmpfs", "/run"],
  ["tmpfs", "tmpfs", "/dev/shm"],
  ["/dev/sdb1", "xfs", "/var/lib/docker"],
  ["overlay", "overlay", "/var/lib/docker/overlay2"],
];
const MEMORY = [
  "Active",
  "Active_anon",
  "Active_file",
  "AnonHugePages",
  "AnonPages",
  "Bounce",
  "Buffers",
  "Cached",
  "CommitLimit",
  "Committed_AS",
  "DirectMap1G",
  "DirectMap2M",
  "DirectMap4k",
  "Dirty",
  "HugePages_Free",
  "HugePages_Total",
  "Hugepagesize",
  "Inactive",
  "Inactive_anon",
  "Inactive_file",
  "KernelStack",
  "Mapped",
  "MemAvailable",
  "MemFree",
  "MemTotal",
  "Mlocked",
  "NFS_Unstable",
  "PageTables",
  "SReclaimable",
  "SUnreclaim",
  "Shmem",
  "Slab",
  "SwapCached",
  "SwapFree",
  "SwapTotal",
  "Unevictable",
  "VmallocUsed",
  "Writeback",
];

/**
 * The families of one host, grown unit by unit (a CPU, a network device, a
 * disk, a filesystem, a hwmon sensor) until they hold at least `want` series,
 * then cut to exactly `want`. Families stay contiguous, as node_exporter
 * writes them.
 */
export function nodeFamilies(want: number): Family[] {
  const units = { cpu: 0, net: 0, disk: 0, fs: 0, sensor: 0 };
  const fixed = MEMORY.length + 6;
  const size = { cpu: 13, net: 16, disk: 10, fs: 7, sensor: 2 };
  const order = ["cpu", "cpu", "net", "disk", "cpu", "fs", "sensor", "cpu", "net", "disk"] as const;
  let total = fixed;
  for (let i = 0; total < want; i++) {
    const k = order[i % order.length]!;
    units[k]++;
    total += size[k];
  }
  const fams: Family[] = [];
  const fam = (name: string, type: Family["type"], help: string, series: string[]): void => {
    if (series.length > 0) fams.push({ name, help, type, series });
  };
  const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  const cpus = range(units.cpu);
  fam(
    "node_cpu_seconds_total",
    "counter",
    "Seconds the CPUs spent in each mode.",
    cpus.flatMap((c) => MODES.map((m) => `{cpu="${c}",mode="${m}"}`)),
  );
  fam(
    "node_cpu_guest_seconds_total",
    "counter",
    "Seconds the CPUs spent in guests (VMs) for each mode.",
    cpus.flatMap((c) => ["nice", "user"].map((m) => `{cpu="${c}",mode="${m}"}`)),
  );
  for (const s of ["processed", "dropped", "times_squeezed"]) {
    fam(`node_softnet_${s}_total`, "counter", `Number of ${s} packets.`, cpus.map((c) => `{cpu="${c}"}`));
  }
  const nets = range(units.net).map((
    i,
  ) => (i === 0 ? "lo" : i < 3 ? `eth${i - 1}` : `veth${(i * 2654435761) % 0xfffff}`));
  for (const dir of ["receive", "transmit"]) {
    for (const what of ["bytes", "packets", "errs", "drop", "fifo", "compressed", "multicast", "frame"]) {
      fam(
        `node_network_${dir}_${what}_total`,
        "counter",
        `Network device statistic ${dir}_${what}.`,
        nets.map((d) => `{device="${d}"}`),
      );
    }
  }
  const disks = range(units.disk).map((
    i,
  ) => (i < 4 ? `nvme${i}n1` : `sd${String.fromCharCode(97 + ((i - 4) % 26))}${Math.floor((i - 4) / 26) || ""}`));
  for (
    const what of [
      "reads_completed",
      "writes_completed",
      "read_bytes",
      "written_bytes",
      "io_time_seconds",
      "read_time_seconds",
      "write_time_seconds",
      "reads_merged",
      "writes_merged",
      "io_time_weighted_seconds",
    ]
  ) {
    fam(`node_disk_${what}_total`, "counter", `Disk statistic ${what}.`, disks.map((d) => `{device="${d}"}`));
  }
  const fss = range(units.fs).map((i) => {
    const f = FS[i % FS.length]!;
    const n = Math.floor(i / FS.length);
    return n === 0 ? f : [`${f[0]}${n}`, f[1]!, `${f[2]}/${n}`];
  });
  for (const what of ["avail_bytes", "free_bytes", "size_bytes", "files", "files_free", "readonly", "device_error"]) {
    fam(
      `node_filesystem_${what}`,
      "gauge",
      `Filesystem ${what}.`,
      fss.map(([dev, fstype, mp]) => `{device="${dev}",fstype="${fstype}",mountpoint="${mp}"}`),
    );
  }
  const sensors = range(units.sensor).map((i) => [`platform_coretemp_${Math.floor(i / 8)}`, `temp${(i % 8) + 1}`]);
  fam(
    "node_hwmon_temp_celsius",
    "gauge",
    "Hardware monitor for temperature (input).",
    sensors.map(([chip, s]) => `{chip="${chip}",sensor="${s}"}`),
  );
  fam(
    "node_hwmon_temp_max_celsius",
    "gauge",
    "Hardware monitor for temperature (max).",
    sensors.map(([chip, s]) => `{chip="${chip}",sensor="${s}"}`),
  );
  for (const m of MEMORY) fam(`node_memory_${m}_bytes`, "gauge", `Memory information field ${m}_bytes.`, [""]);
  for (const l of ["load1", "load5", "load15"]) fam(`node_${l}`, "gauge", `${l} load average.`, [""]);
  fam("node_procs_running", "gauge", "Number of processes in runnable state.", [""]);
  fam("node_context_switches_total", "counter", "Total number of context switches.", [""]);
  fam("node_intr_total", "counter", "Total number of interrupts serviced.", [""]);
  // Cut to exactly `want` series, dropping whole families from the end first.
  let n = fams.reduce((a, f) => a + f.series.length, 0);
  while (n > want) {
    const last = fams[fams.length - 1]!;
    const cut = Math.min(last.series.length, n - want);
    last.series.length -= cut;
    n -= cut;
    if (last.series.length === 0) fams.pop();
  }
  return fams;
}

/** Width of every rendered value: `dddddddd.ddd` thousandths between 1e6 and 1e7. */
const VALUE_WIDTH = 11;

/** One target's page: the rendered text plus where each value's digits sit. */
class Page {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly #offsets: Int32Array;
  /** Values in thousandths, 1e9 ≤ v < 1e10 so the width never changes. */
  readonly #values: Float64Array;
  readonly #counter: Uint8Array;
  #seed: number;

  constructor(fams: Family[], seed: number) {
    const defs: SeriesDef[] = [];
    const offsets: number[] = [];
    const enc = new TextEncoder();
    let bytes = 0;
    const parts: string[] = [];
    for (const f of fams) {
      const head = `# HELP ${f.name} ${f.help}\n# TYPE ${f.name} ${f.type}\n`;
      parts.push(head);
      bytes += head.length;
      for (const l of f.series) {
        const prefix = `${f.name}${l} `;
        parts.push(prefix, "0".repeat(VALUE_WIDTH), "\n");
        bytes += prefix.length;
        offsets.push(bytes);
        bytes += VALUE_WIDTH + 1;
        defs.push({ name: f.name, labels: l, counter: f.type === "counter" });
      }
    }
    this.body = enc.encode(parts.join(""));
    if (this.body.length !== bytes) throw new RangeError("Cannot render farm page: labels must be ASCII");
    this.#offsets = Int32Array.from(offsets);
    this.#values = new Float64Array(defs.length);
    this.#counter = Uint8Array.from(defs.map((d) => (d.counter ? 1 : 0)));
    this.#seed = seed | 1;
    for (let i = 0; i < defs.length; i++) this.#values[i] = 1e9 + (this.#rand() % 4e9);
    this.step();
  }

  #rand(): number {
    // xorshift32: cheap, deterministic per target.
    let x = this.#seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#seed = x;
    return x >>> 0;
  }

  /** Moves every value (counters up, gauges up or down) and rewrites its digits in place. */
  step(): void {
    const b = this.body;
    const vals = this.#values;
    for (let i = 0; i < vals.length; i++) {
      const r = this.#rand();
      let v = vals[i]! + (this.#counter[i] === 1 ? r % 100_000 : (r % 200_001) - 100_000);
      if (v < 1e9 || v >= 1e10 - 1) v = 1e9 + (r % 1e6); // counter "reset", rare
      vals[i] = v;
      // Write 10 digits with a '.' before the last three: ddddddd.ddd
      let end = this.#offsets[i]! + VALUE_WIDTH - 1;
      for (let d = 0; d < 10; d++) {
        if (d === 3) b[end--] = 46; // '.'
        b[end--] = 48 + (v % 10);
        v = Math.floor(v / 10);
      }
    }
  }
}

interface Stats {
  served: number;
  servedBytes: number;
  paused503: number;
  /** Requests per target since the last reset. */
  perTarget: number[];
  /** Gaps between consecutive requests of one target, ms (since the last reset). */
  gapsMs: number[];
  renderSeconds: number;
}

function parseFlags(argv: string[]): { targets: number; series: number; listeners: number; gzip: boolean } {
  const o = { targets: 200, series: 1000, listeners: 4, gzip: false };
  for (const a of argv) {
    const m = /^--([a-z]+)(?:=(\d+))?$/.exec(a);
    if (m === null) throw new SyntaxError(`Cannot parse farm argument ${JSON.stringify(a)}`);
    if (m[1] === "gzip") o.gzip = true;
    else if (m[1] === "targets" || m[1] === "series" || m[1] === "listeners") o[m[1]] = Number(m[2]);
    else throw new SyntaxError(`Unknown farm argument --${m[1]}`);
  }
  return o;
}

function main(): void {
  const o = parseFlags(process.argv.slice(2));
  const fams = nodeFamilies(o.series);
  const pages = Array.from({ length: o.targets }, (_, k) => new Page(fams, 0x9e3779b9 ^ (k * 7919)));
  const lastAt = new Float64Array(o.targets);
  let paused = false;
  const st: Stats = {
    served: 0,
    servedBytes: 0,
    paused503: 0,
    perTarget: new Array<number>(o.targets).fill(0),
    gapsMs: [],
    renderSeconds: 0,
  };
  const reset = (): void => {
    st.served = 0;
    st.servedBytes = 0;
    st.paused503 = 0;
    st.perTarget.fill(0);
    st.gapsMs = [];
    st.renderSeconds = 0;
    lastAt.fill(0);
  };
  const fetchHandler = (req: Request): Response => {
    const path = new URL(req.url).pathname;
    if (path.startsWith("/metrics/")) {
      const k = Number(path.slice(9));
      const page = pages[k];
      if (page === undefined) return new Response("no such target\n", { status: 404 });
      if (paused) {
        st.paused503++;
        return new Response("paused\n", { status: 503 });
      }
      const now = performance.now();
      if (lastAt[k]! > 0) st.gapsMs.push(now - lastAt[k]!);
      lastAt[k] = now;
      page.step();
      // Copy: the next step() must not change bytes still being sent.
      const body = o.gzip ? Bun.gzipSync(page.body, { level: 1 }) : page.body.slice();
      st.renderSeconds += (performance.now() - now) / 1000;
      st.served++;
      st.servedBytes += body.length;
      st.perTarget[k]!++;
      const headers: Record<string, string> = { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" };
      if (o.gzip) headers["Content-Encoding"] = "gzip";
      return new Response(body, { headers });
    }
    if (path === "/farm/stats") {
      const json = JSON.stringify({ ...st, bodyBytes: pages[0]?.body.length ?? 0 });
      if (new URL(req.url).searchParams.get("reset") === "1") reset();
      return new Response(json, { headers: { "Content-Type": "application/json" } });
    }
    if (path === "/farm/pause") {
      paused = true;
      return new Response("ok\n");
    }
    if (path === "/farm/resume") {
      paused = false;
      return new Response("ok\n");
    }
    return new Response("not found\n", { status: 404 });
  };
  const servers = Array.from(
    { length: o.listeners },
    () => Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: fetchHandler }),
  );
  process.on("SIGTERM", () => {
    for (const s of servers) void s.stop(true);
    process.exit(0);
  });
  process.stdout.write(
    `${JSON.stringify({ ports: servers.map((s) => s.port), bodyBytes: pages[0]?.body.length ?? 0 })}\n`,
  );
}

if (import.meta.main) main();
