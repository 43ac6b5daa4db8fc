import { describe, expect, test } from "bun:test";
import { A, cfg, CPUS, fail } from "./_flags_testing.ts";
import { type Config, parseFlags } from "./flags.ts";

test("defaults", () => {
  const c = cfg([]);
  expect(c.httpListenAddr).toBe(":8429");
  expect(c.maxInsertRequestSize).toBe(32 * 2 ** 20);
  expect(c.maxConcurrentInserts).toBe(2 * CPUS);
  expect(c.insertMaxQueueDurationMs).toBe(60_000);
  expect(c.remoteWrite).toEqual({
    urls: [],
    tmpDataPath: "vmagent-remotewrite-data",
    maxRowsPerBlock: 10000,
    maxBlockSize: 8 * 2 ** 20,
    flushIntervalMs: 1000,
    queues: 2 * CPUS,
    labels: [],
    showURL: false,
    retryMinIntervalMs: 1000,
    retryMaxIntervalMs: 60_000,
    fsyncPolicy: "interval",
    fsyncIntervalMs: 1000,
    memoryQueueSize: 8 * 2 ** 20,
    quickstartFile: "drover-samples.jsonl",
    relabelConfig: "",
  });
  expect(c.logger).toEqual({
    level: "INFO",
    format: "default",
    output: "stderr",
    errorsPerSecondLimit: 0,
    warnsPerSecondLimit: 0,
    disableTimestamps: false,
  });
  expect(c.http).toEqual({ maxGracefulShutdownDurationMs: 7000, shutdownDelayMs: 0 });
  expect(c.memory).toEqual({ allowedPercent: 60, allowedBytes: 0 });
  expect(c.dryRun).toBe(false);
  expect(c.parseWorkers).toBe(Math.max(1, CPUS - 1));
  expect(c.ringBufferSize).toBe(4 * 2 ** 20);
  expect(c.labelCacheSize).toBe(16 * 2 ** 20);
  expect(c.flagsSet).toEqual({});
});

test("config is deeply frozen plain data", () => {
  const c = cfg([`-remoteWrite.url=${A}`, "-remoteWrite.headers=X:y", "-remoteWrite.label=a=b"]);
  expect(Object.isFrozen(c)).toBe(true);
  expect(Object.isFrozen(c.remoteWrite.urls)).toBe(true);
  expect(Object.isFrozen(c.remoteWrite.urls[0]?.headers[0])).toBe(true);
  expect(Object.isFrozen(c.remoteWrite.labels[0])).toBe(true);
  expect(Object.isFrozen(c.flagsSet)).toBe(true);
  expect(structuredClone(c)).toEqual(c);
});

test("cpu-dependent defaults", () => {
  const f = (cpus: number, want: { inserts: number; queues: number; workers: number }) => {
    const r = parseFlags([], { env: {}, cpus });
    if (r.kind !== "config") throw new Error(r.kind);
    expect(r.config.maxConcurrentInserts).toBe(want.inserts);
    expect(r.config.remoteWrite.queues).toBe(want.queues);
    expect(r.config.parseWorkers).toBe(want.workers);
  };
  f(1, { inserts: 2, queues: 2, workers: 1 });
  f(2, { inserts: 4, queues: 4, workers: 1 });
  f(8, { inserts: 16, queues: 16, workers: 7 });
  f(0, { inserts: 2, queues: 2, workers: 1 }); // nonsense CPU counts act as 1
});

describe("syntax", () => {
  test("= and space forms, one or two dashes", () => {
    const f = (argv: string[], want: string) => expect(cfg(argv).httpListenAddr).toBe(want);
    f(["-httpListenAddr=:9000"], ":9000");
    f(["-httpListenAddr", ":9000"], ":9000");
    f(["--httpListenAddr=:9000"], ":9000");
    f(["--httpListenAddr", ":9000"], ":9000");
    f(["-httpListenAddr="], "");
    f(["-httpListenAddr=a=b"], "a=b"); // only the first = separates
    f(["-httpListenAddr", "-x"], "-x"); // Go: a non-bool flag takes the next arg whatever it is
    f(["-httpListenAddr=:1", "-httpListenAddr=:2"], ":2"); // last wins
    f(["-httpListenAddr=:1", "--"], ":1"); // -- ends the flags
  });

  test("bools", () => {
    const f = (argv: string[], want: boolean) => expect(cfg(argv).remoteWrite.showURL).toBe(want);
    f([], false);
    f(["-remoteWrite.showURL"], true);
    f(["--remoteWrite.showURL"], true);
    f(["-remoteWrite.showURL=true"], true);
    f(["-remoteWrite.showURL=false"], false);
    f(["-remoteWrite.showURL=1"], true);
    f(["-remoteWrite.showURL=0"], false);
    f(["-remoteWrite.showURL=T"], true);
    f(["-remoteWrite.showURL=False"], false);
    f(["-remoteWrite.showURL", "-remoteWrite.showURL=false"], false);
    f(["-remoteWrite.showURL", "-dryRun"], true); // a bare bool does not swallow the next flag
    expect(cfg(["-dryRun"]).dryRun).toBe(true);
    expect(cfg(["-loggerDisableTimestamps"]).logger.disableTimestamps).toBe(true);
  });

  test("errors", () => {
    const f = fail;
    f(["-foo"], "Unknown flag -foo");
    f(["--foo=1"], "Unknown flag -foo");
    f(["-remoteWrite.URL=x"], "Unknown flag -remoteWrite.URL"); // case-sensitive like Go
    f(
      ["-remoteWrite.showURL", "false"],
      `Unexpected argument "false"; bool flags take values only as -remoteWrite.showURL=false`,
    );
    f(["positional"], `Unexpected argument "positional"`);
    f(["-dryRun", "-httpListenAddr=:1", "x"], `Unexpected argument "x"`);
    f(["-"], `Unexpected argument "-"`);
    f(["--", "x"], `Unexpected argument "x"`);
    f(["---x"], "Bad flag syntax: ---x");
    f(["-=x"], "Bad flag syntax: -=x");
    f(["--=x"], "Bad flag syntax: --=x");
    f(["-httpListenAddr"], "Missing value for flag -httpListenAddr");
    f(["-dryRun", "-remoteWrite.maxRowsPerBlock"], "Missing value for flag -remoteWrite.maxRowsPerBlock");
    f(
      ["-remoteWrite.maxRowsPerBlock=abc"],
      `Invalid value "abc" for flag -remoteWrite.maxRowsPerBlock: not an integer`,
    );
    f(
      ["-remoteWrite.maxRowsPerBlock", "1.5"],
      `Invalid value "1.5" for flag -remoteWrite.maxRowsPerBlock: not an integer`,
    );
    f(["-remoteWrite.showURL=yes"], /^Invalid value "yes" for flag -remoteWrite.showURL: not a boolean/);
    f(["-remoteWrite.showURL="], /^Invalid value "" for flag -remoteWrite.showURL: not a boolean/);
    f(["-memory.allowedPercent=x"], `Invalid value "x" for flag -memory.allowedPercent: not a number`);
    f(
      ["-remoteWrite.fsyncPolicy=sometimes"],
      `Invalid value "sometimes" for flag -remoteWrite.fsyncPolicy: must be one of always, interval, never`,
    );
    f(
      ["-loggerLevel=info"],
      `Invalid value "info" for flag -loggerLevel: must be one of INFO, WARN, ERROR, FATAL, PANIC`,
    );
    // An earlier error wins over a later -help, as in Go.
    f(["-foo", "-help"], "Unknown flag -foo");
  });
});

describe("values", () => {
  test("sizes", () => {
    const f = (v: string, want: number) => expect(cfg([`-maxInsertRequestSize=${v}`]).maxInsertRequestSize).toBe(want);
    f("1024", 1024);
    f("64KB", 64_000);
    f("2MB", 2_000_000);
    f("1GB", 1e9);
    f("1KiB", 1024);
    f("16MiB", 16 * 2 ** 20);
    f("1.5GiB", 1.5 * 2 ** 30);
    f("1TiB", 2 ** 40);
    expect(cfg(["-memory.allowedBytes", "1TB"]).memory.allowedBytes).toBe(1e12);
    fail(["-maxInsertRequestSize=-1"], `Invalid value "-1" for flag -maxInsertRequestSize: size cannot be negative`);
    fail(["-maxInsertRequestSize=1mb"], /^Invalid value "1mb" for flag -maxInsertRequestSize: not a size/);
    fail(["-maxInsertRequestSize=0"], `Invalid value "0" for flag -maxInsertRequestSize: must be at least 1`);
    fail(["-ringBufferSize=1KiB"], `Invalid value "1KiB" for flag -ringBufferSize: must be at least 64KiB`);
  });

  test("durations", () => {
    const f = (v: string, want: number) =>
      expect(cfg([`-remoteWrite.flushInterval=${v}`]).remoteWrite.flushIntervalMs).toBe(want);
    f("1s", 1000);
    f("500ms", 500);
    f("1.5s", 1500);
    f("1m", 60_000);
    f("1h30m", 5_400_000);
    f("2", 2000);
    f("1d", 86_400_000);
    f("1w", 604_800_000);
    f("1000us", 1);
    f("1000µs", 1);
    f("1000000ns", 1);
    expect(cfg(["-http.shutdownDelay", "5s"]).http.shutdownDelayMs).toBe(5000);
    expect(cfg(["-insert.maxQueueDuration=30s"]).insertMaxQueueDurationMs).toBe(30_000);
    fail(
      ["-remoteWrite.flushInterval=abc"],
      /^Invalid value "abc" for flag -remoteWrite.flushInterval: not a duration/,
    );
    fail(
      ["-remoteWrite.flushInterval=-1s"],
      `Invalid value "-1s" for flag -remoteWrite.flushInterval: duration cannot be negative`,
    );
    fail(
      ["-remoteWrite.flushInterval=0"],
      `Invalid value "0" for flag -remoteWrite.flushInterval: must be at least 1ms`,
    );
  });

  test("validation and clamping", () => {
    const f = (argv: string[], pick: (c: Config) => unknown, want: unknown) => expect(pick(cfg(argv))).toEqual(want);
    f(["-remoteWrite.queues=0"], (c) => c.remoteWrite.queues, 1);
    f(["-remoteWrite.queues=-5"], (c) => c.remoteWrite.queues, 1);
    f(["-remoteWrite.queues=1000"], (c) => c.remoteWrite.queues, 16 * CPUS);
    f(["-remoteWrite.queues=3"], (c) => c.remoteWrite.queues, 3);
    f(["-parseWorkers=2"], (c) => c.parseWorkers, 2);
    f(
      ["-loggerLevel=ERROR", "-loggerFormat=json", "-loggerOutput=stdout"],
      (c) => [c.logger.level, c.logger.format, c.logger.output],
      ["ERROR", "json", "stdout"],
    );
    f(
      ["-loggerErrorsPerSecondLimit=10", "-loggerWarnsPerSecondLimit", "5"],
      (c) => [c.logger.errorsPerSecondLimit, c.logger.warnsPerSecondLimit],
      [10, 5],
    );
    f(["-remoteWrite.fsyncPolicy=always"], (c) => c.remoteWrite.fsyncPolicy, "always");
    f(["-memory.allowedPercent=12.5"], (c) => c.memory.allowedPercent, 12.5);
    f(["-remoteWrite.maxRowsPerBlock=0x10"], (c) => c.remoteWrite.maxRowsPerBlock, 16);
    fail(
      ["-remoteWrite.maxRowsPerBlock=0"],
      `Invalid value "0" for flag -remoteWrite.maxRowsPerBlock: must be at least 1`,
    );
    fail(["-parseWorkers=0"], `Invalid value "0" for flag -parseWorkers: must be at least 1`);
    fail(["-maxConcurrentInserts=0"], `Invalid value "0" for flag -maxConcurrentInserts: must be at least 1`);
    fail(
      ["-loggerWarnsPerSecondLimit=-1"],
      `Invalid value "-1" for flag -loggerWarnsPerSecondLimit: must be at least 0`,
    );
    fail(["-memory.allowedPercent=0"], `Invalid value "0" for flag -memory.allowedPercent: must be at least 1`);
    fail(["-memory.allowedPercent=201"], `Invalid value "201" for flag -memory.allowedPercent: must be at most 200`);
  });
});
