/**
 * The scraping benchmark's options and scenarios (default, saturation,
 * cluster, million): argument parsing and the targets, series, interval and
 * duration each scenario runs with.
 *
 * @module
 */

import { commonArg, commonDefaults, readArgs } from "./_args.ts";
import type { AgentKind } from "./_procs.ts";

// ---- options ---------------------------------------------------------------

export type ScenarioName = "default" | "saturation" | "cluster" | "million";

export interface Options {
  scenarios: ScenarioName[];
  seconds: number;
  interval: number;
  targets: number;
  series: number;
  satTargets: number;
  satInterval: number;
  satSeconds: number;
  milTargets: number;
  milSeries: number;
  milInterval: number;
  milSeconds: number;
  members: number;
  clusterSeconds: number;
  warmup: number;
  listeners: number;
  gzip: boolean;
  drainSeconds: number;
  stallSeconds: number;
  agents: AgentKind[];
  out: string;
}

export const DEFAULTS: Options = {
  scenarios: ["default", "saturation"],
  seconds: 30,
  interval: 5,
  targets: 200,
  series: 1000,
  satTargets: 400,
  satInterval: 1,
  satSeconds: 15,
  milTargets: 500,
  milSeries: 2000,
  milInterval: 30,
  milSeconds: 60,
  members: 3,
  clusterSeconds: 20,
  warmup: -1,
  listeners: 4,
  gzip: false,
  drainSeconds: 30,
  stallSeconds: 5,
  ...commonDefaults(),
};

export function parseArgs(argv: string[]): Options {
  const o: Options = { ...DEFAULTS };
  const switches = (a: string): boolean => {
    if (a === "--cluster") o.scenarios = ["cluster"];
    else if (a === "--gzip") o.gzip = true;
    else return false;
    return true;
  };
  readArgs(argv, (a) => {
    const { name, value, int } = a;
    const secs = (min: number, max: number): number => {
      const n = Number(value.replace(/s$/, ""));
      if (!Number.isInteger(n) || n < min || n > max) {
        throw new RangeError(`Invalid value for --${name}: want ${min}s..${max}s, got ${JSON.stringify(value)}`);
      }
      return n;
    };
    switch (name) {
      case "seconds":
        o.seconds = int(5);
        break;
      case "interval":
        o.interval = secs(1, 5);
        break;
      case "targets":
        o.targets = int(1);
        break;
      case "series":
        o.series = int(10);
        break;
      case "sat-targets":
        o.satTargets = int(1);
        break;
      case "sat-interval":
        o.satInterval = secs(1, 5);
        break;
      case "sat-seconds":
        o.satSeconds = int(5);
        break;
      case "mil-targets":
        o.milTargets = int(1);
        break;
      case "mil-series":
        o.milSeries = int(10);
        break;
      case "mil-interval":
        o.milInterval = secs(1, 60);
        break;
      case "mil-seconds":
        o.milSeconds = int(5);
        break;
      case "members":
        o.members = int(2, 16);
        break;
      case "cluster-seconds":
        o.clusterSeconds = int(5);
        break;
      case "listeners":
        o.listeners = int(1, 64);
        break;
      case "scenario": {
        const list = value.split(",").filter((s) => s !== "");
        if (list.length === 0) throw new RangeError("Invalid value for --scenario: list is empty");
        for (const s of list) {
          if (s !== "default" && s !== "saturation" && s !== "cluster" && s !== "million") {
            throw new RangeError(`Invalid value for --scenario: unknown scenario ${JSON.stringify(s)}`);
          }
        }
        o.scenarios = list as ScenarioName[];
        break;
      }
      default:
        commonArg(o, a);
    }
  }, switches);
  return o;
}

export interface Scenario {
  name: ScenarioName;
  targets: number;
  series: number;
  interval: number;
  seconds: number;
  members: number;
  warmup: number;
}

export function scenarioOf(name: ScenarioName, o: Options): Scenario {
  const base = { name, series: o.series };
  const sc = name === "saturation"
    ? { ...base, targets: o.satTargets, interval: o.satInterval, seconds: o.satSeconds, members: 1 }
    : name === "cluster"
    ? { ...base, targets: o.targets, interval: o.interval, seconds: o.clusterSeconds, members: o.members }
    : name === "million"
    ? {
      ...base,
      series: o.milSeries,
      targets: o.milTargets,
      interval: o.milInterval,
      seconds: o.milSeconds,
      members: 1,
    }
    : { ...base, targets: o.targets, interval: o.interval, seconds: o.seconds, members: 1 };
  // Two intervals: every target has been scraped (series created) at least once before the clock starts.
  return { ...sc, warmup: o.warmup >= 0 ? o.warmup : Math.max(4, 2 * sc.interval + 1) };
}
