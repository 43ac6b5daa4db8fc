/**
 * Leveled logger with vmagent's flags: `-loggerLevel`, `-loggerFormat`,
 * `-loggerOutput`, `-loggerDisableTimestamps` and the per-second limits for
 * errors and warnings. Every thread creates its own logger from the same
 * options; the limits therefore apply per thread.
 *
 * The default format follows VictoriaMetrics:
 * `2026-11-26T12:00:00.000Z\tinfo\tcomponent\tmessage`; the JSON format is one
 * object per line with `ts`, `level`, `caller` and `msg`.
 *
 * @module
 */

/** Levels in increasing severity, as vmagent names them. */
export type LogLevel = "INFO" | "WARN" | "ERROR" | "FATAL" | "PANIC";

const SEVERITY: Record<LogLevel, number> = { INFO: 0, WARN: 1, ERROR: 2, FATAL: 3, PANIC: 4 };

/** Logger options; plain data so they can be posted to workers. */
export interface LoggerOptions {
  level: LogLevel;
  format: "default" | "json";
  output: "stderr" | "stdout";
  disableTimestamps: boolean;
  /** 0 = unlimited. Excess messages are counted and reported once per second. */
  errorsPerSecondLimit: number;
  warnsPerSecondLimit: number;
}

/** Options used before flags are parsed and in tests. */
export const DEFAULT_LOGGER_OPTIONS: LoggerOptions = {
  level: "INFO",
  format: "default",
  output: "stderr",
  disableTimestamps: false,
  errorsPerSecondLimit: 0,
  warnsPerSecondLimit: 0,
};

/** A sink for finished log lines; tests pass one that collects lines. */
export type LogSink = (line: string) => void;

function defaultSink(output: LoggerOptions["output"]): LogSink {
  const stream = output === "stdout" ? process.stdout : process.stderr;
  return (line) => {
    stream.write(line);
  };
}

/** Per-level limiter: at most `limit` lines per wall-clock second. */
class RateLimiter {
  #limit: number;
  #second = 0;
  #count = 0;
  suppressed = 0;
  constructor(limit: number) {
    this.#limit = limit;
  }
  /** Returns true when the line may be written; `now` is in ms. */
  allow(now: number): boolean {
    if (this.#limit <= 0) return true;
    const sec = Math.floor(now / 1000);
    if (sec !== this.#second) {
      this.#second = sec;
      this.#count = 0;
    }
    if (this.#count < this.#limit) {
      this.#count++;
      return true;
    }
    this.suppressed++;
    return false;
  }
}

/** A logger bound to one component name (shown as the `caller`). */
export class Logger {
  #opts: LoggerOptions;
  #sink: LogSink;
  #component: string;
  #errors: RateLimiter;
  #warns: RateLimiter;
  #now: () => number;

  constructor(
    component: string,
    opts: LoggerOptions = DEFAULT_LOGGER_OPTIONS,
    sink?: LogSink,
    now: () => number = Date.now,
  ) {
    this.#component = component;
    this.#opts = opts;
    this.#sink = sink ?? defaultSink(opts.output);
    this.#errors = new RateLimiter(opts.errorsPerSecondLimit);
    this.#warns = new RateLimiter(opts.warnsPerSecondLimit);
    this.#now = now;
  }

  /** A logger for another component sharing the options, sink and limits. */
  child(component: string): Logger {
    const l = new Logger(component, this.#opts, this.#sink, this.#now);
    l.#errors = this.#errors;
    l.#warns = this.#warns;
    return l;
  }

  info(msg: string): void {
    this.#write("INFO", msg);
  }
  warn(msg: string): void {
    if (this.#enabled("WARN") && this.#limited(this.#warns, "WARN")) this.#write("WARN", msg);
  }
  error(msg: string): void {
    if (this.#enabled("ERROR") && this.#limited(this.#errors, "ERROR")) this.#write("ERROR", msg);
  }
  /** Logs at FATAL level; the caller decides whether to exit. */
  fatal(msg: string): void {
    this.#write("FATAL", msg);
  }

  #enabled(level: LogLevel): boolean {
    return SEVERITY[level] >= SEVERITY[this.#opts.level];
  }

  #limited(limiter: RateLimiter, level: LogLevel): boolean {
    const now = this.#now();
    const before = limiter.suppressed;
    const ok = limiter.allow(now);
    if (ok && before > 0) {
      limiter.suppressed = 0;
      this.#write(
        level,
        `suppressed ${before} ${level.toLowerCase()} messages because of the -logger${
          level === "WARN" ? "Warns" : "Errors"
        }PerSecondLimit`,
      );
    }
    return ok;
  }

  #write(level: LogLevel, msg: string): void {
    if (!this.#enabled(level)) return;
    const ts = this.#opts.disableTimestamps ? "" : new Date(this.#now()).toISOString();
    let line: string;
    if (this.#opts.format === "json") {
      const obj: Record<string, string> = {};
      if (ts !== "") obj.ts = ts;
      obj.level = level.toLowerCase();
      obj.caller = this.#component;
      obj.msg = msg;
      line = JSON.stringify(obj) + "\n";
    } else {
      line = `${ts === "" ? "" : ts + "\t"}${level.toLowerCase()}\t${this.#component}\t${msg}\n`;
    }
    this.#sink(line);
  }
}
