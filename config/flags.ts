/**
 * vmagent-compatible command-line flag parsing with Go `flag` package semantics. The result is a
 * deeply frozen plain-data Config that may be shared with (postMessage'd to) workers.
 *
 * The flag table lives in ./_flag_table.ts; commander only renders -help (./_flags_help.ts),
 * because its parser cannot express Go's rules (a bare bool never consumes the next argument,
 * positional per-URL arrays, `-flag value` for any non-bool flag even if the value starts with -).
 */
import { FLAGS, type FlagSpec, isSecretFlag } from "./_flag_table.ts";
import { helpText } from "./_flags_help.ts";
import { buildPromscrapeConfig, type PromscrapeConfig } from "./_promscrape_flags.ts";
import {
  parseBool,
  parseDuration,
  parseInteger,
  parseNumber,
  parseSize,
  splitArrayValue,
  ValueSyntaxError,
} from "./_units.ts";
import { VERSION } from "./version.ts";

export { parseDuration, parseSize } from "./_units.ts";
export type { PromscrapeClusterConfig, PromscrapeConfig } from "./_promscrape_flags.ts";

export type LoggerLevel = "INFO" | "WARN" | "ERROR" | "FATAL" | "PANIC";
export type FsyncPolicy = "always" | "interval" | "never";
export type HeaderPair = readonly [name: string, value: string];

export interface RemoteWriteURLConfig {
  readonly url: string;
  /** Bytes; 0 = unlimited. */
  readonly maxDiskUsage: number;
  readonly sendTimeoutMs: number;
  /** Present when a username or password was given for this URL. */
  readonly basicAuth?: { readonly username: string; readonly password: string };
  readonly basicAuthPasswordFile?: string;
  readonly bearerToken?: string;
  readonly bearerTokenFile?: string;
  readonly headers: readonly HeaderPair[];
  /** -remoteWrite.urlRelabelConfig for this URL ("" = none). */
  readonly urlRelabelConfig: string;
}

/** All sizes in bytes, all durations in milliseconds. */
export interface Config {
  readonly httpListenAddr: string;
  readonly maxInsertRequestSize: number;
  readonly maxConcurrentInserts: number;
  readonly insertMaxQueueDurationMs: number;
  readonly remoteWrite: {
    /** Empty means quickstart mode: samples go to `quickstartFile`. */
    readonly urls: readonly RemoteWriteURLConfig[];
    readonly tmpDataPath: string;
    readonly maxRowsPerBlock: number;
    readonly maxBlockSize: number;
    readonly flushIntervalMs: number;
    /** Already clamped to [1, 16*cpus]. */
    readonly queues: number;
    readonly labels: readonly HeaderPair[];
    readonly showURL: boolean;
    readonly retryMinIntervalMs: number;
    readonly retryMaxIntervalMs: number;
    readonly fsyncPolicy: FsyncPolicy;
    readonly fsyncIntervalMs: number;
    readonly memoryQueueSize: number;
    readonly quickstartFile: string;
    /** -remoteWrite.relabelConfig ("" = none). */
    readonly relabelConfig: string;
  };
  readonly logger: {
    readonly level: LoggerLevel;
    readonly format: "default" | "json";
    readonly output: "stderr" | "stdout";
    readonly errorsPerSecondLimit: number;
    readonly warnsPerSecondLimit: number;
    readonly disableTimestamps: boolean;
  };
  readonly http: { readonly maxGracefulShutdownDurationMs: number; readonly shutdownDelayMs: number };
  readonly memory: { readonly allowedPercent: number; readonly allowedBytes: number };
  /** Settings of the push protocols; plain data, posted to the parse workers. */
  readonly push: PushConfig;
  /** Scraping (-promscrape.*). */
  readonly promscrape: PromscrapeConfig;
  readonly dryRun: boolean;
  readonly parseWorkers: number;
  readonly ringBufferSize: number;
  readonly labelCacheSize: number;
  /** Flags set on the command line or via env, as given (arrays comma-joined), secrets as "secret". */
  readonly flagsSet: Readonly<Record<string, string>>;
  /** Effective value of every flag in table order, secrets as "secret"; feeds the /flags page. */
  readonly flagValues: Readonly<Record<string, string>>;
}

/** Push-protocol flags (durations in ms, sizes in bytes). */
export interface PushConfig {
  readonly influx: {
    readonly listenAddr: string;
    readonly measurementFieldSeparator: string;
    readonly skipMeasurement: boolean;
    readonly skipSingleField: boolean;
    readonly dbLabel: string;
    readonly databaseNames: readonly string[];
    readonly maxLineSize: number;
    readonly maxRequestSize: number;
    readonly trimTimestampMs: number;
  };
  readonly graphite: {
    readonly listenAddr: string;
    readonly trimTimestampMs: number;
    readonly sanitizeMetricName: boolean;
  };
  readonly opentsdb: {
    readonly listenAddr: string;
    readonly httpListenAddr: string;
    readonly trimTimestampMs: number;
    readonly httpTrimTimestampMs: number;
    readonly httpMaxInsertRequestSize: number;
  };
  readonly datadog: { readonly maxInsertRequestSize: number; readonly sanitizeMetricName: boolean };
  readonly csvTrimTimestampMs: number;
  readonly importMaxLineLen: number;
  readonly importMaxRequestSize: number;
  readonly opentelemetry: { readonly usePrometheusNaming: boolean; readonly maxRequestSize: number };
}

export type ParseResult =
  | { kind: "config"; config: Config }
  | { kind: "help"; text: string }
  | { kind: "version"; text: string }
  | { kind: "error"; message: string };

export interface ParseFlagsOptions {
  env: Record<string, string | undefined>;
  cpus: number;
}

type Value = string | number | boolean;

/**
 * Raw strings as given and their parsed values; scalars hold exactly one of each. A null value is
 * an empty element of a typed per-URL array and stands for that flag's default.
 */
interface Slot {
  raw: string[];
  values: (Value | null)[];
}

class FlagError extends Error {}

const SPECS = new Map(FLAGS.map((s) => [s.name, s]));

/**
 * Parses `argv` (without the executable and script) like vmagent: Go flag syntax, then
 * environment variables when -envflag.enable is on the command line. Never throws for bad
 * input; the caller prints `message` and exits with code 2 on `kind: "error"`.
 */
export function parseFlags(argv: readonly string[], opts: ParseFlagsOptions): ParseResult {
  const cpus = Number.isFinite(opts.cpus) ? Math.max(1, Math.floor(opts.cpus)) : 1;
  try {
    const set = new Map<string, Slot>();
    if (parseArgv(argv, set)) return { kind: "help", text: helpText(cpus) };
    if (scalarValue(set, "envflag.enable", cpus) === true) {
      applyEnv(set, opts.env, String(scalarValue(set, "envflag.prefix", cpus)));
    }
    if (scalarValue(set, "version", cpus) === true) {
      return { kind: "version", text: `drover-v${VERSION} (vmagent-compatible)` };
    }
    return { kind: "config", config: deepFreeze(buildConfig(set, cpus)) };
  } catch (err) {
    if (err instanceof FlagError) return { kind: "error", message: err.message };
    throw err;
  }
}

/** Renders the /flags page: one `-name="value"` line per flag, sorted, secrets masked. */
export function flagsPage(config: Config): string {
  const names = Object.keys(config.flagValues).sort();
  return names.map((n) => `-${n}=${JSON.stringify(config.flagValues[n])}\n`).join("");
}

/** Go flag.Parse semantics. Returns true when -h/-help/--help was seen. */
function parseArgv(argv: readonly string[], set: Map<string, Slot>): boolean {
  let prevBool = "";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg.length < 2 || arg[0] !== "-") {
      const hint = prevBool === "" ? "" : `; bool flags take values only as -${prevBool}=${arg}`;
      throw new FlagError(`Unexpected argument ${JSON.stringify(arg)}${hint}`);
    }
    if (arg === "--") {
      const rest = argv[i + 1];
      if (rest !== undefined) throw new FlagError(`Unexpected argument ${JSON.stringify(rest)}`);
      break;
    }
    const body = arg.slice(arg[1] === "-" ? 2 : 1);
    if (body === "" || body[0] === "-" || body[0] === "=") throw new FlagError(`Bad flag syntax: ${arg}`);
    const eq = body.indexOf("=");
    const name = eq < 0 ? body : body.slice(0, eq);
    if (name === "h" || name === "help") return true;
    const spec = SPECS.get(name);
    if (spec === undefined) throw new FlagError(`Unknown flag -${name}`);
    let raw: string;
    prevBool = "";
    if (eq >= 0) {
      raw = body.slice(eq + 1);
    } else if (spec.kind === "bool") {
      raw = "true";
      prevBool = name;
    } else {
      const next = argv[i + 1];
      if (next === undefined) throw new FlagError(`Missing value for flag -${name}`);
      raw = next;
      i++;
    }
    setFlag(set, spec, raw, "");
  }
  return false;
}

/** Env var name = prefix + flag name with dots replaced by underscores; CLI values win. */
function applyEnv(set: Map<string, Slot>, env: Record<string, string | undefined>, prefix: string): void {
  for (const spec of FLAGS) {
    if (spec.meta === true || set.has(spec.name)) continue;
    const key = prefix + spec.name.replaceAll(".", "_");
    const raw = env[key];
    if (raw !== undefined) setFlag(set, spec, raw, ` set via environment variable ${key}`);
  }
}

function setFlag(set: Map<string, Slot>, spec: FlagSpec, raw: string, origin: string): void {
  if (spec.array === undefined) {
    set.set(spec.name, { raw: [raw], values: [parseValue(spec, raw, origin)] });
    return;
  }
  let slot = set.get(spec.name);
  if (slot === undefined) set.set(spec.name, slot = { raw: [], values: [] });
  for (const item of splitArrayValue(raw)) {
    slot.raw.push(item);
    // An empty element of a typed per-URL array keeps that URL's default (`-x=,5s`).
    slot.values.push(item === "" && spec.kind !== "string" ? null : parseValue(spec, item, origin));
  }
}

function parseValue(spec: FlagSpec, raw: string, origin: string): Value {
  let v: Value;
  try {
    v = parseByKind(spec, raw);
  } catch (err) {
    if (err instanceof ValueSyntaxError) throw invalid(spec, raw, err.reason, origin);
    throw err;
  }
  if (typeof v === "number") {
    if (spec.min !== undefined && v < (parseByKind(spec, spec.min) as number)) {
      throw invalid(spec, raw, `must be at least ${spec.min}`, origin);
    }
    if (spec.max !== undefined && v > (parseByKind(spec, spec.max) as number)) {
      throw invalid(spec, raw, `must be at most ${spec.max}`, origin);
    }
  }
  return v;
}

function parseByKind(spec: FlagSpec, raw: string): Value {
  switch (spec.kind) {
    case "string":
      return raw;
    case "int":
      return parseInteger(raw);
    case "float":
      return parseNumber(raw);
    case "bool":
      return parseBool(raw);
    case "size":
      return parseSize(raw);
    case "duration":
      return parseDuration(raw);
    case "enum":
      if (spec.choices?.includes(raw) === true) return raw;
      throw new ValueSyntaxError("value", raw, `must be one of ${spec.choices?.join(", ") ?? ""}`);
  }
}

function invalid(spec: FlagSpec, raw: string, reason: string, origin = ""): FlagError {
  return new FlagError(`Invalid value ${JSON.stringify(raw)} for flag -${spec.name}${origin}: ${reason}`);
}

function defaultRaw(spec: FlagSpec, cpus: number): string {
  return typeof spec.def === "string" ? spec.def : spec.def(cpus);
}

function defaultValue(spec: FlagSpec, cpus: number): Value {
  return parseValue(spec, defaultRaw(spec, cpus), " (default)");
}

function specOf(name: string): FlagSpec {
  const spec = SPECS.get(name);
  if (spec === undefined) throw new Error(`BUG: flag -${name} is not in the flag table`);
  return spec;
}

function scalarValue(set: Map<string, Slot>, name: string, cpus: number): Value {
  return set.get(name)?.values[0] ?? defaultValue(specOf(name), cpus); // scalars never hold null
}

/** Typed accessors over the parsed flags; the flag table guarantees the runtime kinds. */
function reader(set: Map<string, Slot>, cpus: number) {
  const scalar = (name: string) => scalarValue(set, name, cpus);
  return {
    num: (name: string) => scalar(name) as number,
    str: (name: string) => scalar(name) as string,
    bool: (name: string) => scalar(name) as boolean,
    list: (name: string) => (set.get(name)?.raw ?? []).slice(),
    /** Values for each of `n` URLs: N-th value ↔ N-th URL, missing ones take the default. */
    perURL(name: string, n: number): { raw: string; value: Value }[] {
      const spec = specOf(name);
      const slot = set.get(name);
      const count = slot?.values.length ?? 0;
      if (count > n) {
        throw new FlagError(
          `Too many values for flag -${name}: got ${count}, but only ${n} -remoteWrite.url ${
            n === 1 ? "is" : "are"
          } given`,
        );
      }
      const out: { raw: string; value: Value }[] = [];
      for (let i = 0; i < n; i++) {
        const value = slot?.values[i];
        out.push(
          value === undefined || value === null
            ? { raw: defaultRaw(spec, cpus), value: defaultValue(spec, cpus) }
            : { raw: slot?.raw[i] ?? "", value },
        );
      }
      return out;
    },
  };
}

function buildConfig(set: Map<string, Slot>, cpus: number): Config {
  const r = reader(set, cpus);
  const urlSpec = specOf("remoteWrite.url");
  const urls = r.list("remoteWrite.url");
  for (const u of urls) {
    if (!/^https?:\/\//.test(u)) throw invalid(urlSpec, u, "must start with http:// or https://");
    if (!URL.canParse(u)) throw invalid(urlSpec, u, "not a valid URL");
  }
  const n = urls.length;
  const maxDisk = r.perURL("remoteWrite.maxDiskUsagePerURL", n);
  const sendTimeout = r.perURL("remoteWrite.sendTimeout", n);
  const username = r.perURL("remoteWrite.basicAuth.username", n);
  const password = r.perURL("remoteWrite.basicAuth.password", n);
  const passwordFile = r.perURL("remoteWrite.basicAuth.passwordFile", n);
  const bearerToken = r.perURL("remoteWrite.bearerToken", n);
  const bearerTokenFile = r.perURL("remoteWrite.bearerTokenFile", n);
  const urlRelabel = r.perURL("remoteWrite.urlRelabelConfig", n);
  const headers = r.perURL("remoteWrite.headers", n);
  const urlConfigs = urls.map((url, i): RemoteWriteURLConfig => {
    const str = (v: { value: Value }[]) => String(v[i]?.value ?? "");
    const user = str(username);
    const pass = str(password);
    return {
      url,
      maxDiskUsage: Number(maxDisk[i]?.value ?? 0),
      sendTimeoutMs: Number(sendTimeout[i]?.value ?? 0),
      ...(user !== "" || pass !== "" ? { basicAuth: { username: user, password: pass } } : {}),
      ...(str(passwordFile) !== "" ? { basicAuthPasswordFile: str(passwordFile) } : {}),
      ...(str(bearerToken) !== "" ? { bearerToken: str(bearerToken) } : {}),
      ...(str(bearerTokenFile) !== "" ? { bearerTokenFile: str(bearerTokenFile) } : {}),
      headers: parseHeaders(str(headers)),
      urlRelabelConfig: str(urlRelabel),
    };
  });
  const labels = r.list("remoteWrite.label").map((raw): HeaderPair => {
    const eq = raw.indexOf("=");
    if (eq <= 0) {
      throw invalid(specOf("remoteWrite.label"), raw, eq < 0 ? `missing "=" in label` : "label name is empty");
    }
    return [raw.slice(0, eq), raw.slice(eq + 1)];
  });
  return {
    httpListenAddr: r.str("httpListenAddr"),
    maxInsertRequestSize: r.num("maxInsertRequestSize"),
    maxConcurrentInserts: r.num("maxConcurrentInserts"),
    insertMaxQueueDurationMs: r.num("insert.maxQueueDuration"),
    remoteWrite: {
      urls: urlConfigs,
      tmpDataPath: r.str("remoteWrite.tmpDataPath"),
      maxRowsPerBlock: r.num("remoteWrite.maxRowsPerBlock"),
      maxBlockSize: r.num("remoteWrite.maxBlockSize"),
      flushIntervalMs: r.num("remoteWrite.flushInterval"),
      queues: Math.min(Math.max(r.num("remoteWrite.queues"), 1), 16 * cpus),
      labels,
      showURL: r.bool("remoteWrite.showURL"),
      retryMinIntervalMs: r.num("remoteWrite.retryMinInterval"),
      retryMaxIntervalMs: r.num("remoteWrite.retryMaxInterval"),
      fsyncPolicy: r.str("remoteWrite.fsyncPolicy") as FsyncPolicy,
      fsyncIntervalMs: r.num("remoteWrite.fsyncInterval"),
      memoryQueueSize: r.num("remoteWrite.memoryQueueSize"),
      quickstartFile: r.str("remoteWrite.quickstartFile"),
      relabelConfig: r.str("remoteWrite.relabelConfig"),
    },
    logger: {
      level: r.str("loggerLevel") as LoggerLevel,
      format: r.str("loggerFormat") as "default" | "json",
      output: r.str("loggerOutput") as "stderr" | "stdout",
      errorsPerSecondLimit: r.num("loggerErrorsPerSecondLimit"),
      warnsPerSecondLimit: r.num("loggerWarnsPerSecondLimit"),
      disableTimestamps: r.bool("loggerDisableTimestamps"),
    },
    http: {
      maxGracefulShutdownDurationMs: r.num("http.maxGracefulShutdownDuration"),
      shutdownDelayMs: r.num("http.shutdownDelay"),
    },
    memory: { allowedPercent: r.num("memory.allowedPercent"), allowedBytes: r.num("memory.allowedBytes") },
    push: {
      influx: {
        listenAddr: r.str("influxListenAddr"),
        measurementFieldSeparator: r.str("influxMeasurementFieldSeparator"),
        skipMeasurement: r.bool("influxSkipMeasurement"),
        skipSingleField: r.bool("influxSkipSingleField"),
        dbLabel: r.str("influxDBLabel"),
        databaseNames: r.list("influx.databaseNames"),
        maxLineSize: r.num("influx.maxLineSize"),
        maxRequestSize: r.num("influx.maxRequestSize"),
        trimTimestampMs: r.num("influxTrimTimestamp"),
      },
      graphite: {
        listenAddr: r.str("graphiteListenAddr"),
        trimTimestampMs: r.num("graphiteTrimTimestamp"),
        sanitizeMetricName: r.bool("graphite.sanitizeMetricName"),
      },
      opentsdb: {
        listenAddr: r.str("opentsdbListenAddr"),
        httpListenAddr: r.str("opentsdbHTTPListenAddr"),
        trimTimestampMs: r.num("opentsdbTrimTimestamp"),
        httpTrimTimestampMs: r.num("opentsdbhttpTrimTimestamp"),
        httpMaxInsertRequestSize: r.num("opentsdbhttp.maxInsertRequestSize"),
      },
      datadog: {
        maxInsertRequestSize: r.num("datadog.maxInsertRequestSize"),
        sanitizeMetricName: r.bool("datadog.sanitizeMetricName"),
      },
      csvTrimTimestampMs: r.num("csvTrimTimestamp"),
      importMaxLineLen: r.num("import.maxLineLen"),
      importMaxRequestSize: r.num("import.maxRequestSize"),
      opentelemetry: {
        usePrometheusNaming: r.bool("opentelemetry.usePrometheusNaming"),
        maxRequestSize: r.num("opentelemetry.maxRequestSize"),
      },
    },
    promscrape: buildPromscrapeConfig(r, (name, raw, reason) => invalid(specOf(name), raw, reason)),
    dryRun: r.bool("dryRun"),
    parseWorkers: r.num("parseWorkers"),
    ringBufferSize: r.num("ringBufferSize"),
    labelCacheSize: r.num("labelCacheSize"),
    ...flagStrings(set, cpus, r.bool("remoteWrite.showURL")),
  };
}

/** `H1:v1^^H2:v2` → [["H1","v1"],["H2","v2"]]; names and values are trimmed. */
function parseHeaders(raw: string): HeaderPair[] {
  if (raw === "") return [];
  return raw.split("^^").map((h): HeaderPair => {
    const colon = h.indexOf(":");
    const name = colon < 0 ? "" : h.slice(0, colon).trim();
    if (name === "") {
      const reason = colon < 0
        ? `missing ":" in header ${JSON.stringify(h)}`
        : `empty header name in ${JSON.stringify(h)}`;
      throw invalid(specOf("remoteWrite.headers"), raw, reason);
    }
    return [name, h.slice(colon + 1).trim()];
  });
}

function flagStrings(set: Map<string, Slot>, cpus: number, showURL: boolean) {
  // vmagent also hides -remoteWrite.url on /flags: URLs often carry credentials.
  const mask = (name: string, v: string) =>
    isSecretFlag(name) || (name === "remoteWrite.url" && !showURL) ? "secret" : v;
  const flagsSet: Record<string, string> = {};
  const flagValues: Record<string, string> = {};
  for (const spec of FLAGS) {
    if (spec.name === "help") continue;
    const slot = set.get(spec.name);
    if (slot !== undefined) flagsSet[spec.name] = mask(spec.name, slot.raw.join(","));
    flagValues[spec.name] = mask(spec.name, slot === undefined ? defaultRaw(spec, cpus) : slot.raw.join(","));
  }
  return { flagsSet, flagValues };
}

function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null && !Object.isFrozen(v)) {
    for (const child of Object.values(v)) deepFreeze(child);
    Object.freeze(v);
  }
  return v;
}
