import { describe, expect, test } from "bun:test";
import { Registry, renderMetrics, seriesKey } from "./registry.ts";

describe("selfmetrics", () => {
  test("seriesKey() renders labels in order and escapes values", () => {
    const f = (name: string, labels: Record<string, string> | undefined, want: string) =>
      expect(seriesKey(name, labels)).toBe(want);
    f("up", undefined, "up");
    f("up", {}, "up");
    f("x_total", { type: "influx", path: "/write" }, 'x_total{type="influx",path="/write"}');
    f("x", { v: 'a"b\\c\nd' }, 'x{v="a\\"b\\\\c\\nd"}');
  });

  test("Registry.metric() returns one handle per key", () => {
    const r = new Registry();
    r.metric("a_total", { t: "x" }).inc();
    r.metric("a_total", { t: "x" }).inc(2);
    r.metric("b").set(5);
    r.gauge("g", undefined, () => 7);
    expect(r.snapshot().sort()).toEqual([
      ['a_total{t="x"}', 3],
      ["b", 5],
      ["g", 7],
    ]);
  });

  test("renderMetrics() sums equal keys across threads and sorts", () => {
    const text = renderMetrics([
      [["z_total", 1], ['a{x="1"}', 2]],
      [["z_total", 4], ["nan", NaN]],
    ]);
    expect(text).toBe('a{x="1"} 2\nnan NaN\nz_total 5\n');
  });

  test("Registry.unregisterPrefix() removes matching series", () => {
    const r = new Registry();
    r.metric("keep").inc();
    r.metric("drop_a").inc();
    r.gauge("drop_b", undefined, () => 1);
    r.unregisterPrefix("drop_");
    expect(r.snapshot()).toEqual([["keep", 1]]);
  });
});
