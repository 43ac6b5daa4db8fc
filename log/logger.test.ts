import { describe, expect, test } from "bun:test";
import { DEFAULT_LOGGER_OPTIONS, Logger, type LoggerOptions } from "./logger.ts";

function collect(opts: Partial<LoggerOptions>, now: () => number) {
  const lines: string[] = [];
  const log = new Logger("test", { ...DEFAULT_LOGGER_OPTIONS, ...opts }, (l) => lines.push(l), now);
  return { log, lines };
}

describe("Logger", () => {
  test("writes tab-separated lines with an ISO timestamp", () => {
    const { log, lines } = collect({}, () => 0);
    log.info("hello");
    expect(lines).toEqual(["1970-01-01T00:00:00.000Z\tinfo\ttest\thello\n"]);
  });

  test("writes JSON lines with -loggerFormat=json", () => {
    const { log, lines } = collect({ format: "json", disableTimestamps: true }, () => 0);
    log.warn('a "quoted" msg');
    expect(lines.map((l) => JSON.parse(l))).toEqual([{ level: "warn", caller: "test", msg: 'a "quoted" msg' }]);
  });

  test("filters by -loggerLevel", () => {
    const { log, lines } = collect({ level: "ERROR", disableTimestamps: true }, () => 0);
    log.info("i");
    log.warn("w");
    log.error("e");
    expect(lines).toEqual(["error\ttest\te\n"]);
  });

  test("limits errors per second and reports the suppressed count", () => {
    let now = 1000;
    const { log, lines } = collect({ errorsPerSecondLimit: 2, disableTimestamps: true }, () => now);
    for (let i = 0; i < 5; i++) log.error(`e${i}`);
    now = 2000;
    log.error("later");
    expect(lines).toEqual([
      "error\ttest\te0\n",
      "error\ttest\te1\n",
      "error\ttest\tsuppressed 3 error messages because of the -loggerErrorsPerSecondLimit\n",
      "error\ttest\tlater\n",
    ]);
  });

  test("child() shares the rate limit", () => {
    const { log, lines } = collect({ warnsPerSecondLimit: 1, disableTimestamps: true }, () => 0);
    log.warn("a");
    log.child("other").warn("b");
    expect(lines).toEqual(["warn\ttest\ta\n"]);
  });
});
