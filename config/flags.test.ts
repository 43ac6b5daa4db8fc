import { describe, expect, test } from "bun:test";
import { FLAGS } from "./_flag_table.ts";
import { type Config, flagsPage, parseFlags } from "./flags.ts";
import { VERSION } from "./version.ts";

type Env = Record<string, string | undefined>;
const CPUS = 4;
const A = "http://a:8428/api/v1/write";
const B = "https://b/write";
const C = "http://c/";

function cfg(argv: string[], env: Env = {}): Config {
  const r = parseFlags(argv, { env, cpus: CPUS });
  if (r.kind !== "config") throw new Error(`want config for ${JSON.stringify(argv)}, got ${JSON.stringify(r)}`);
  return r.config;
}

/** Asserts an error result; `want` is the exact message, or a RegExp it must match. */
function fail(argv: string[], want: string | RegExp, env: Env = {}): void {
  const r = parseFlags(argv, { env, cpus: CPUS });
  if (r.kind !== "error") throw new Error(`want error for ${JSON.stringify(argv)}, got ${r.kind}`);
  if (typeof want === "string") expect(r.message).toBe(want);
  else expect(r.message).toMatch(want);
  expect(r.message).not.toContain("\n");
}

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
  expect(c.ringBufferSize).toBe(16 * 2 ** 20);
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

describe("arrays", () => {
  test("repeatable and comma-separated urls", () => {
    const f = (argv: string[], want: string[]) => expect(cfg(argv).remoteWrite.urls.map((u) => u.url)).toEqual(want);
    f([`-remoteWrite.url=${A}`], [A]);
    f(["-remoteWrite.url", A], [A]);
    f([`-remoteWrite.url=${A}`, `-remoteWrite.url=${B}`], [A, B]);
    f([`-remoteWrite.url=${A},${B}`], [A, B]);
    f([`-remoteWrite.url=${A},${B}`, "--remoteWrite.url", C], [A, B, C]);
    f([`-remoteWrite.url="${A}"`], [A]);
    fail(
      ["-remoteWrite.url=ftp://x"],
      `Invalid value "ftp://x" for flag -remoteWrite.url: must start with http:// or https://`,
    );
    fail([`-remoteWrite.url=${A},`], `Invalid value "" for flag -remoteWrite.url: must start with http:// or https://`);
    fail(["-remoteWrite.url=http://[bad"], `Invalid value "http://[bad" for flag -remoteWrite.url: not a valid URL`);
  });

  test("labels", () => {
    const f = (argv: string[], want: [string, string][]) => expect(cfg(argv).remoteWrite.labels).toEqual(want);
    f(["-remoteWrite.label=dc=eu"], [["dc", "eu"]]);
    f(["-remoteWrite.label=dc=eu,env=prod"], [["dc", "eu"], ["env", "prod"]]);
    f(["-remoteWrite.label=dc=eu", "-remoteWrite.label", "env=prod"], [["dc", "eu"], ["env", "prod"]]);
    f(["-remoteWrite.label=a=b=c"], [["a", "b=c"]]);
    f(["-remoteWrite.label=a="], [["a", ""]]);
    f([`-remoteWrite.label=a="x,y",b=[1,2]`], [["a", `"x,y"`], ["b", "[1,2]"]]);
    f([`-remoteWrite.label="a=x,y"`], [["a", "x,y"]]);
    fail(["-remoteWrite.label=dc"], `Invalid value "dc" for flag -remoteWrite.label: missing "=" in label`);
    fail(["-remoteWrite.label==x"], `Invalid value "=x" for flag -remoteWrite.label: label name is empty`);
  });

  test("per-URL values are positional", () => {
    const timeouts = (argv: string[]) => cfg(argv).remoteWrite.urls.map((u) => u.sendTimeoutMs);
    const f = (argv: string[], want: number[]) => expect(timeouts(argv)).toEqual(want);
    const urls = [`-remoteWrite.url=${A},${B},${C}`];
    f(urls, [60_000, 60_000, 60_000]);
    f([...urls, "-remoteWrite.sendTimeout=5s"], [5000, 60_000, 60_000]); // only the first URL
    f([...urls, "-remoteWrite.sendTimeout=5s,10s"], [5000, 10_000, 60_000]);
    f([...urls, "-remoteWrite.sendTimeout=5s", "-remoteWrite.sendTimeout=10s"], [5000, 10_000, 60_000]);
    f([...urls, "-remoteWrite.sendTimeout=,10s"], [60_000, 10_000, 60_000]); // empty element keeps the default
    f([...urls, "-remoteWrite.sendTimeout=1s,2s,3s"], [1000, 2000, 3000]);
    f(["-remoteWrite.sendTimeout=1s", `-remoteWrite.url=${A}`], [1000]); // order of flags does not matter

    const disk = cfg([...urls, "-remoteWrite.maxDiskUsagePerURL=1GiB,,500MB"]).remoteWrite.urls.map((u) =>
      u.maxDiskUsage
    );
    expect(disk).toEqual([2 ** 30, 0, 500e6]);

    fail(
      [...urls, "-remoteWrite.sendTimeout=1s,2s,3s,4s"],
      "Too many values for flag -remoteWrite.sendTimeout: got 4, but only 3 -remoteWrite.url are given",
    );
    fail(
      [`-remoteWrite.url=${A}`, "-remoteWrite.bearerToken=x,y"],
      "Too many values for flag -remoteWrite.bearerToken: got 2, but only 1 -remoteWrite.url is given",
    );
    fail(
      ["-remoteWrite.maxDiskUsagePerURL=1GB"],
      "Too many values for flag -remoteWrite.maxDiskUsagePerURL: got 1, but only 0 -remoteWrite.url are given",
    );
    fail(
      [...urls, "-remoteWrite.sendTimeout=5s,x"],
      /^Invalid value "x" for flag -remoteWrite.sendTimeout: not a duration/,
    );
  });

  test("per-URL auth", () => {
    const c = cfg([
      `-remoteWrite.url=${A},${B},${C}`,
      "-remoteWrite.basicAuth.username=alice,bob",
      "-remoteWrite.basicAuth.password=pw",
      "-remoteWrite.basicAuth.passwordFile=,/etc/pw",
      "-remoteWrite.bearerToken=,,tok",
      "-remoteWrite.bearerTokenFile=/etc/tok",
    ]);
    expect(c.remoteWrite.urls).toEqual([
      {
        url: A,
        maxDiskUsage: 0,
        sendTimeoutMs: 60_000,
        basicAuth: { username: "alice", password: "pw" },
        bearerTokenFile: "/etc/tok",
        headers: [],
        urlRelabelConfig: "",
      },
      {
        url: B,
        maxDiskUsage: 0,
        sendTimeoutMs: 60_000,
        basicAuth: { username: "bob", password: "" },
        basicAuthPasswordFile: "/etc/pw",
        headers: [],
        urlRelabelConfig: "",
      },
      { url: C, maxDiskUsage: 0, sendTimeoutMs: 60_000, bearerToken: "tok", headers: [], urlRelabelConfig: "" },
    ]);
    // exactOptionalPropertyTypes: absent options are absent keys, not undefined values
    expect(Object.keys(c.remoteWrite.urls[2] ?? {})).toEqual([
      "url",
      "maxDiskUsage",
      "sendTimeoutMs",
      "bearerToken",
      "headers",
      "urlRelabelConfig",
    ]);
  });

  test("per-URL headers", () => {
    const f = (value: string, want: [string, string][]) => {
      const c = cfg([`-remoteWrite.url=${A}`, `-remoteWrite.headers=${value}`]);
      expect(c.remoteWrite.urls[0]?.headers).toEqual(want);
    };
    f("", []);
    f("X-Foo:bar", [["X-Foo", "bar"]]);
    f("My-Auth: foobar ^^ X-Foo:bar", [["My-Auth", "foobar"], ["X-Foo", "bar"]]);
    f("X-Time:12:30", [["X-Time", "12:30"]]);
    f("X-Empty:", [["X-Empty", ""]]);
    const two = cfg([`-remoteWrite.url=${A},${B}`, "-remoteWrite.headers=,X:2"]).remoteWrite.urls.map((u) => u.headers);
    expect(two).toEqual([[], [["X", "2"]]]);
    fail(
      [`-remoteWrite.url=${A}`, "-remoteWrite.headers=NoColon"],
      `Invalid value "NoColon" for flag -remoteWrite.headers: missing ":" in header "NoColon"`,
    );
    fail(
      [`-remoteWrite.url=${A}`, "-remoteWrite.headers=A:1^^:v"],
      `Invalid value "A:1^^:v" for flag -remoteWrite.headers: empty header name in ":v"`,
    );
  });
});

describe("envflag", () => {
  test("env is read only with -envflag.enable on the command line", () => {
    const f = (argv: string[], env: Env, want: string) => expect(cfg(argv, env).httpListenAddr).toBe(want);
    const env = { httpListenAddr: ":7000" };
    f([], env, ":8429");
    f(["-envflag.enable"], env, ":7000");
    f(["-envflag.enable=false"], env, ":8429");
    f([], { ...env, envflag_enable: "true" }, ":8429");
    f(["-envflag.enable", "-httpListenAddr=:1"], env, ":1"); // CLI wins
    f(["-envflag.enable", "-envflag.prefix=VM_"], { ...env, VM_httpListenAddr: ":7001" }, ":7001");
    f(["-envflag.enable", "-envflag.prefix=VM_"], env, ":8429"); // unprefixed names are ignored with a prefix
    f(["-envflag.enable"], { envflag_prefix: "VM_", VM_httpListenAddr: ":7001" }, ":8429"); // prefix only from CLI
    f(["-envflag.enable"], { httpListenAddr: undefined }, ":8429");
  });

  test("dotted names, bools, arrays, per-URL", () => {
    const env: Env = {
      remoteWrite_url: `${A},${B}`,
      remoteWrite_sendTimeout: "5s",
      remoteWrite_showURL: "true",
      remoteWrite_label: "a=1,b=2",
      insert_maxQueueDuration: "10s",
    };
    const c = cfg(["-envflag.enable"], env);
    expect(c.remoteWrite.urls.map((u) => [u.url, u.sendTimeoutMs])).toEqual([[A, 5000], [B, 60_000]]);
    expect(c.remoteWrite.showURL).toBe(true);
    expect(c.remoteWrite.labels).toEqual([["a", "1"], ["b", "2"]]);
    expect(c.insertMaxQueueDurationMs).toBe(10_000);
    // A CLI array replaces the env array as a whole.
    const d = cfg(["-envflag.enable", `-remoteWrite.url=${C}`], { ...env, remoteWrite_sendTimeout: undefined });
    expect(d.remoteWrite.urls.map((u) => u.url)).toEqual([C]);
    expect(d.flagsSet["remoteWrite.label"]).toBe("a=1,b=2");
  });

  test("bad env values name the variable", () => {
    fail(
      ["-envflag.enable"],
      `Invalid value "x" for flag -remoteWrite.maxRowsPerBlock set via environment variable remoteWrite_maxRowsPerBlock: not an integer`,
      { remoteWrite_maxRowsPerBlock: "x" },
    );
    fail(["-envflag.enable", "-envflag.prefix=P_"], /set via environment variable P_loggerLevel: must be one of/, {
      P_loggerLevel: "debug",
    });
  });
});

describe("help and version", () => {
  test("help", () => {
    const f = (argv: string[]) => {
      const r = parseFlags(argv, { env: {}, cpus: CPUS });
      expect(r.kind).toBe("help");
      return r.kind === "help" ? r.text : "";
    };
    for (
      const argv of [["-h"], ["-help"], ["--help"], ["--h"], ["-dryRun", "-help"], ["-help", "-foo"], ["-help=false"]]
    ) f(argv);
    const text = f(["-help"]);
    // Collapse wrapped lines so each description reads as one string.
    const flat = text.replace(/\s+/g, " ");
    for (const spec of FLAGS) {
      expect(text).toContain(`-${spec.name} `);
      const def = typeof spec.def === "string" ? spec.def : spec.def(CPUS);
      const shown = spec.kind === "string" || spec.kind === "enum" ? JSON.stringify(def) : def;
      expect(flat).toContain(`(default ${shown})`);
      expect(flat).toContain(spec.help.replace(/\s+/g, " ").slice(0, 40));
    }
    expect(flat).toContain(`-maxConcurrentInserts int`);
    expect(flat).toContain(`(default ${2 * CPUS})`);
    expect(flat).toContain(`-remoteWrite.url array`);
    expect(flat).toContain(`-maxInsertRequestSize size`);
    expect(flat).toContain(`(default 32MiB)`);
  });

  test("version", () => {
    const f = (argv: string[], env: Env = {}) => {
      expect(parseFlags(argv, { env, cpus: CPUS })).toEqual({
        kind: "version",
        text: `drover-v${VERSION} (vmagent-compatible)`,
      });
    };
    f(["-version"]);
    f(["--version"]);
    f(["-version=true"]);
    f(["-version", "-remoteWrite.url=ftp://not-validated-yet"]);
    expect(parseFlags(["-envflag.enable"], { env: { version: "true" }, cpus: CPUS }).kind).toBe("config"); // CLI-only
    expect(VERSION).toBe("0.1.0");
    fail(["-version", "-remoteWrite.maxRowsPerBlock=x"], /not an integer/); // parse errors come first, as in Go
  });
});

describe("flags page", () => {
  test("flagsSet lists explicitly set flags with secrets masked", () => {
    const c = cfg(
      [
        `-remoteWrite.url=${A}`,
        `-remoteWrite.url=${B}`,
        "-remoteWrite.basicAuth.password=hunter2",
        "-remoteWrite.bearerToken=tok",
        "-remoteWrite.bearerTokenFile=/etc/tok",
        "-remoteWrite.maxRowsPerBlock",
        "500",
        "-dryRun",
        "-envflag.enable",
      ],
      { remoteWrite_tmpDataPath: "/data" },
    );
    expect(c.flagsSet).toEqual({
      "remoteWrite.url": "secret",
      "remoteWrite.basicAuth.password": "secret",
      "remoteWrite.bearerToken": "secret",
      "remoteWrite.bearerTokenFile": "secret",
      "remoteWrite.maxRowsPerBlock": "500",
      "remoteWrite.tmpDataPath": "/data",
      dryRun: "true",
      "envflag.enable": "true",
    });
  });

  test("-remoteWrite.showURL reveals URLs", () => {
    const c = cfg([`-remoteWrite.url=${A},${B}`, "-remoteWrite.showURL"]);
    expect(c.flagsSet["remoteWrite.url"]).toBe(`${A},${B}`);
  });

  test("flagsPage renders every flag sorted", () => {
    const c = cfg([
      "-remoteWrite.basicAuth.password=hunter2",
      "-httpListenAddr=:1",
      `-remoteWrite.url=${A}`,
      "-remoteWrite.sendTimeout=5s",
    ]);
    const page = flagsPage(c);
    const lines = page.trimEnd().split("\n");
    const names = lines.map((l) => l.slice(0, l.indexOf("="))); // sorted by name, like Go's flag.VisitAll
    expect(names).toEqual([...names].sort());
    expect(lines.length).toBe(FLAGS.length - 1); // all but -help
    expect(lines).toContain(`-httpListenAddr=":1"`);
    expect(lines).toContain(`-remoteWrite.basicAuth.password="secret"`);
    expect(lines).toContain(`-remoteWrite.url="secret"`);
    expect(lines).toContain(`-remoteWrite.sendTimeout="5s"`);
    expect(lines).toContain(`-maxConcurrentInserts="${2 * CPUS}"`);
    expect(lines).toContain(`-remoteWrite.tmpDataPath="vmagent-remotewrite-data"`);
    expect(lines).toContain(`-version="false"`);
    expect(page).not.toContain("hunter2");
    expect(page.endsWith("\n")).toBe(true);
  });
});

describe("-promscrape.*", () => {
  test("defaults", () => {
    expect(cfg([]).promscrape).toEqual({
      config: "",
      strictParse: true,
      dryRun: false,
      configCheckIntervalMs: 0,
      maxScrapeSize: 16 * 2 ** 20,
      seriesLimitPerTarget: 0,
      minResponseSizeForStreamParse: 1e6,
      streamParse: false,
      disableCompression: false,
      disableKeepAlive: false,
      noStaleMarkers: false,
      suppressDuplicateScrapeTargetErrors: false,
      maxDroppedTargets: 1000,
      dropOriginalLabels: false,
      suppressScrapeErrors: false,
      discoveryConcurrency: 100,
      sdCheckIntervalsMs: {
        "promscrape.fileSDCheckInterval": 60_000,
        "promscrape.httpSDCheckInterval": 60_000,
        "promscrape.dnsSDCheckInterval": 30_000,
        "promscrape.kubernetesSDCheckInterval": 30_000,
        "promscrape.consulSDCheckInterval": 30_000,
      },
      cluster: {
        membersCount: 0,
        memberNum: 0,
        memberNumRaw: "0",
        replicationFactor: 1,
        name: "",
        memberLabel: "",
        keyRule: "current",
        plan: false,
      },
    });
  });

  test("values", () => {
    const c = cfg([
      "-promscrape.config=/etc/p.yml",
      "-promscrape.config.strictParse=false",
      "-promscrape.config.dryRun",
      "-promscrape.configCheckInterval=10s",
      "-promscrape.maxScrapeSize=1KiB",
      "-promscrape.fileSDCheckInterval=5m",
      "-promscrape.cluster.replicationFactor=0",
    ]).promscrape;
    expect([c.config, c.strictParse, c.dryRun, c.configCheckIntervalMs, c.maxScrapeSize]).toEqual([
      "/etc/p.yml",
      false,
      true,
      10_000,
      1024,
    ]);
    expect(c.sdCheckIntervalsMs["promscrape.fileSDCheckInterval"]).toBe(300_000);
    expect(c.cluster.replicationFactor).toBe(1); // vmagent treats < 1 as 1
  });

  test("cluster.memberNum", () => {
    const f = (argv: string[], want: number) => expect(cfg(argv).promscrape.cluster.memberNum).toBe(want);
    f([], 0);
    f(["-promscrape.cluster.memberNum=3"], 3);
    f(["-promscrape.cluster.memberNum=vmagent-2", "-promscrape.cluster.membersCount=3"], 2);
    f(["-promscrape.cluster.memberNum=my-sts-12", "-promscrape.cluster.membersCount=13"], 12);
    f(["-promscrape.cluster.memberNum=+1", "-promscrape.cluster.membersCount=2"], 1);
    const e = (argv: string[], want: string | RegExp) => fail(argv, want);
    e(
      ["-promscrape.cluster.memberNum=vmagent"],
      /^Invalid value "vmagent" for flag -promscrape.cluster.memberNum: cannot parse "vmagent" as an integer/,
    );
    e(["-promscrape.cluster.memberNum=vmagent-"], /cannot parse "" as an integer/);
    e(["-promscrape.cluster.memberNum=vmagent-x1"], /cannot parse "x1"/);
    e(
      ["-promscrape.cluster.memberNum=vmagent-3", "-promscrape.cluster.membersCount=3"],
      `Invalid value "vmagent-3" for flag -promscrape.cluster.memberNum: must be in the range [0..2] according to -promscrape.cluster.membersCount=3`,
    );
    e(["-promscrape.cluster.membersCount=-1"], /must be at least 0/);
  });
});
