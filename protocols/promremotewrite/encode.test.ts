import { describe, expect, test } from "bun:test";
import protobuf from "protobufjs";
import { decodeWriteRequest } from "./decode.ts";
import { BlockBuilder } from "./encode.ts";
import { LabelEncoder } from "../_shared/label_encoder.ts";

const root = protobuf.loadSync(new URL("remote.proto", import.meta.url).pathname);
const WriteRequest = root.lookupType("prometheus.WriteRequest");

type Series = { labels: [string, string][]; samples: [number, number][] };

function build(series: Series[], b = new BlockBuilder(16)): Uint8Array {
  for (const s of series) {
    b.beginSeries();
    for (const [n, v] of s.labels) b.addLabel(n, v);
    for (const [v, t] of s.samples) b.addSample(v, t);
    b.endSeries();
  }
  return b.finish();
}

/** Decodes with protobufjs into plain values (Longs → numbers). */
function pbDecode(bytes: Uint8Array): Series[] {
  const obj = WriteRequest.toObject(WriteRequest.decode(bytes), { longs: Number, defaults: true }) as {
    timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: number }[] }[];
  };
  return obj.timeseries.map((ts) => ({
    labels: ts.labels.map((l) => [l.name, l.value] as [string, string]),
    samples: ts.samples.map((s) => [s.value, s.timestamp] as [number, number]),
  }));
}

describe("BlockBuilder", () => {
  test("encodes labels and samples that protobufjs and decodeWriteRequest read back", () => {
    const f = (series: Series[]) => {
      const bytes = build(series);
      expect(pbDecode(bytes)).toEqual(series);
      const ours = decodeWriteRequest(bytes).map((s) => ({
        labels: s.labels,
        samples: s.samples.map((x) => [x.value, x.timestamp]),
      }));
      expect(ours).toEqual(series);
      // Canonical proto3 encoding: identical to protobufjs' when no field holds its default value.
      if (series.every((s) => s.samples.every(([v, t]) => v !== 0 && t !== 0) && s.labels.every(([n, v]) => n && v))) {
        const pb = WriteRequest.encode(
          WriteRequest.fromObject({
            timeseries: series.map((s) => ({
              labels: s.labels.map(([name, value]) => ({ name, value })),
              samples: s.samples.map(([value, timestamp]) => ({ value, timestamp })),
            })),
          }),
        ).finish();
        expect(bytes).toEqual(new Uint8Array(pb));
      }
    };
    f([]);
    f([{ labels: [], samples: [] }]);
    f([{ labels: [["__name__", "up"]], samples: [[1, 1700000000000]] }]);
    f([{ labels: [["a", ""], ["", "b"]], samples: [[0, 0], [-0, 1]] }]);
    f([{ labels: [["ünï", "💡 значение"], ["k", "日本語".repeat(50)]], samples: [[1.5, 2]] }]);
    f([{ labels: [["long", "x".repeat(200)], ["longer", "y".repeat(20000)]], samples: [[3, 4]] }]);
    f([
      {
        labels: [["__name__", "edge"]],
        samples: [
          [Number.NaN, -1],
          [Infinity, -1700000000000],
          [-Infinity, 2 ** 53 - 1],
          [Number.MAX_VALUE, -(2 ** 53) + 1],
          [5e-324, 2 ** 32],
          [-123.456, -(2 ** 32)],
          [1, 127],
          [2, 128],
        ],
      },
    ]);
    const many: Series[] = [];
    for (let i = 0; i < 300; i++) {
      const labels: [string, string][] = [["__name__", `metric_${i}`]];
      for (let j = 0; j < i % 12; j++) labels.push([`label_${j}`, `value_${i}_${j}`]);
      many.push({
        labels,
        samples: Array.from({ length: i % 5 }, (_, k) => [i * 1.25 + k, 1.7e12 + k] as [number, number]),
      });
    }
    f(many);
  });

  test("negative timestamps are 10-byte two's complement varints", () => {
    const f = (ts: number, want: number[]) => {
      const b = new BlockBuilder();
      b.beginSeries();
      b.addSample(0, ts);
      b.endSeries();
      const bytes = b.finish();
      // 0x0a len 0x12 len 0x10 <varint>
      expect(Array.from(bytes.subarray(4))).toEqual([0x10, ...want]);
      expect(bytes[3]).toBe(1 + want.length);
    };
    f(-1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    f(-2, [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    f(-(2 ** 53), [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0xf0, 0xff, 0x01]);
    f(1, [0x01]);
    f(300, [0xac, 0x02]);
    f(2 ** 35, [0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    f(1.9, [0x01]); // truncated toward zero
  });

  test("stale markers keep their NaN payload", () => {
    const b = new BlockBuilder();
    b.beginSeries();
    b.addLabel("__name__", "m");
    b.addStaleMarker(1000);
    b.addSample(Number.NaN, 2000);
    b.endSeries();
    const [s] = decodeWriteRequest(b.finish());
    expect(s!.samples.map((x) => [x.stale, Number.isNaN(x.value), x.timestamp])).toEqual([
      [true, true, 1000],
      [false, true, 2000],
    ]);
  });

  test("counters, reset, finish copies, raw appends", () => {
    const b = new BlockBuilder(16);
    b.beginSeries();
    b.addLabel("a", "b");
    b.addSample(1, 2);
    b.addSample(3, 4);
    expect(() => b.finish()).toThrow(TypeError);
    expect(() => b.beginSeries()).toThrow(TypeError);
    b.endSeries();
    expect([b.rows, b.series, b.labels]).toEqual([2, 1, 1]);
    const first = b.finish();
    expect(first.byteOffset).toBe(0);
    expect(first.buffer.byteLength).toBe(first.length);
    expect(b.byteLength).toBe(first.length);
    // The TimeSeries body starts after 0x0a + 1-byte length.
    b.appendRawTimeSeries(first.subarray(2), 2, 1);
    expect([b.rows, b.series, b.labels]).toEqual([4, 2, 2]);
    const two = b.finish();
    expect(pbDecode(two)).toEqual([
      { labels: [["a", "b"]], samples: [[1, 2], [3, 4]] },
      { labels: [["a", "b"]], samples: [[1, 2], [3, 4]] },
    ]);
    b.reset();
    expect([b.rows, b.series, b.labels, b.byteLength]).toEqual([0, 0, 0, 0]);
    expect(() => b.endSeries()).toThrow(TypeError);
    b.beginSeries();
    b.addLabel("x", "y");
    b.abortSeries();
    expect(b.byteLength).toBe(0);
    expect(pbDecode(first)).toEqual([{ labels: [["a", "b"]], samples: [[1, 2], [3, 4]] }]);
    const m = b.mark();
    build([{ labels: [["q", "w"]], samples: [[1, 1]] }], b);
    b.restore(m);
    expect([b.rows, b.series, b.labels, b.byteLength]).toEqual([0, 0, 0, 0]);
  });

  test("labels repeated from the previous series are copied byte-exactly", () => {
    // Random series drawn from a small pool so labels repeat at the same and at other positions; aborted series,
    // mark/restore, addLabelBytes, samples between labels and series crossing the 128-byte and 16 KiB length
    // boundaries must not disturb the reuse. Reference: protobufjs' canonical encoding of what was kept.
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    const enc = new TextEncoder();
    const pool: [string, string][] = [
      ["__name__", "cpu_usage_user"],
      ["host", "web-eu-0001"],
      ["host", "web-eu-0002"],
      ["region", "eu-west-1"],
      ["ünï", "💡"],
      ["big", "v".repeat(150)],
      ["huge", "h".repeat(17000)],
      ["cpu", "cpu0"],
    ];
    for (let round = 0; round < 20; round++) {
      const b = new BlockBuilder(16);
      const kept: Series[] = [];
      let mark: { m: ReturnType<BlockBuilder["mark"]>; n: number } | undefined;
      let prev: [string, string][] = [];
      for (let i = 0; i < 200; i++) {
        if (rnd(20) === 0) {
          mark = { m: b.mark(), n: kept.length };
        } else if (mark !== undefined && rnd(30) === 0) {
          b.restore(mark.m);
          kept.length = mark.n;
          mark = undefined;
        }
        const labels: [string, string][] = [];
        const n = 1 + rnd(6);
        for (let j = 0; j < n; j++) {
          // Usually the previous series' label at this position, as a fresh but equal string.
          const p = prev[j];
          const l = p !== undefined && rnd(3) > 0 ? p : pool[rnd(pool.length)]!;
          labels.push([(" " + l[0]).slice(1), (" " + l[1]).slice(1)]);
        }
        const samples: [number, number][] = [[i + 0.5, 1700000000000 + i]];
        b.beginSeries();
        labels.forEach(([name, value], j) => {
          if (rnd(8) === 0) {
            const nb = enc.encode(name);
            const vb = enc.encode(value);
            b.addLabelBytes(nb, 0, nb.length, vb, 0, vb.length);
          } else {
            b.addLabel(name, value);
          }
          // Odd rounds put the sample between labels (valid protobuf, but not protobufjs' field order).
          if (round % 2 === 1 && j === 1 && rnd(4) === 0) b.addSample(samples[0]![0], samples[0]![1]);
        });
        if (rnd(10) === 0) {
          b.abortSeries();
          continue;
        }
        if (b.rows === kept.reduce((a, s) => a + s.samples.length, 0)) b.addSample(samples[0]![0], samples[0]![1]);
        b.endSeries();
        kept.push({ labels, samples });
        prev = labels;
      }
      const pb = WriteRequest.encode(
        WriteRequest.fromObject({
          timeseries: kept.map((s) => ({
            labels: s.labels.map(([name, value]) => ({ name, value })),
            samples: s.samples.map(([value, timestamp]) => ({ value, timestamp })),
          })),
        }),
      ).finish();
      const bytes = b.finish();
      expect(pbDecode(bytes)).toEqual(kept);
      if (round % 2 === 0) expect(bytes).toEqual(new Uint8Array(pb));
      expect(b.series).toBe(kept.length);
    }
  });
});

describe("BlockBuilder.appendNamedSeries", () => {
  const enc = new TextEncoder();
  /** The same series through appendNamedSeries (labels encoded by LabelEncoder.addRanges) and through addLabel. */
  const both = (name: string, labels: [string, string][], value: number, ts: number) => {
    const le = new LabelEncoder();
    for (const [n, v] of labels) {
      const nb = enc.encode(n);
      const vb = enc.encode(v);
      le.addRanges(nb, 0, nb.length, vb, 0, vb.length);
    }
    const nb = enc.encode(`xx${name}yy`);
    const fast = new BlockBuilder(16);
    fast.appendNamedSeries(nb, 2, nb.length - 2, le.buf, 0, le.length, le.count, value, ts);
    const slow = build([{ labels: [["__name__", name], ...labels], samples: [[value, ts]] }]);
    expect(fast.rows).toBe(1);
    expect(fast.series).toBe(1);
    expect(fast.labels).toBe(labels.length + 1);
    return { fast: fast.finish(), slow };
  };

  test("writes the bytes the label-by-label path writes", () => {
    const cases: [string, [string, string][], number, number][] = [
      ["up", [], 1, 1700000000000],
      ["cpu_usage_user", [["cpu", "cpu-total"], ["host", "web-01"], ["region", "eu-west-1"]], 12.5, 1700000000123],
      ["zero", [["a", "b"]], 0, 0],
      ["negative_zero", [["a", "b"]], -0, -1],
      // Lengths that need two-byte varints: a long name, a long label, a series over 127 bytes.
      ["n".repeat(200), [["k", "v"]], 3, 4],
      ["m", [["long", "x".repeat(300)], ["utf8", "значение 💡"]], Number.NaN, 2 ** 40],
      ["m", Array.from({ length: 20 }, (_, i) => [`label_${i}`, `value_${i}`] as [string, string]), 7, 8],
    ];
    for (const [name, labels, v, t] of cases) {
      const { fast, slow } = both(name, labels, v, t);
      expect(fast).toEqual(slow);
      expect(pbDecode(fast)[0]!.labels[0]).toEqual(["__name__", name]);
    }
  });

  test("with a tail of encoded labels and a staleness marker, as the scraper writes them", () => {
    const tail = new LabelEncoder();
    tail.add("instance", "10.0.0.1:9100");
    tail.add("job", "node");
    const own = new LabelEncoder();
    own.add("cpu", "0");
    const name = enc.encode("node_cpu_seconds_total");
    for (const stale of [false, true]) {
      const fast = new BlockBuilder(16);
      const t = tail.buf.slice(0, tail.length);
      fast.appendNamedSeries(name, 0, name.length, own.buf, 0, own.length, own.count, 5, 1700000000000, stale, t, 2);
      const slow = new BlockBuilder(16);
      slow.beginSeries();
      slow.addLabel("__name__", "node_cpu_seconds_total");
      slow.addLabel("cpu", "0");
      slow.addRawLabels(t, 0, t.length, 2);
      if (stale) slow.addStaleMarker(1700000000000);
      else slow.addSample(5, 1700000000000);
      slow.endSeries();
      expect(fast.finish()).toEqual(slow.finish());
      expect(fast.labels).toBe(4);
    }
  });

  test("mixes with the other ways in, and refuses to run inside a series", () => {
    const b = new BlockBuilder(16);
    const le = new LabelEncoder();
    const name = enc.encode("m");
    b.beginSeries();
    b.addLabel("__name__", "a");
    b.addSample(1, 1);
    expect(() => b.appendNamedSeries(name, 0, 1, le.buf, 0, 0, 0, 1, 1)).toThrow(TypeError);
    b.endSeries();
    b.appendNamedSeries(name, 0, 1, le.buf, 0, 0, 0, 2, 2);
    b.beginSeries();
    b.addLabel("__name__", "a");
    b.addSample(3, 3);
    b.endSeries();
    expect(pbDecode(b.finish())).toEqual([
      { labels: [["__name__", "a"]], samples: [[1, 1]] },
      { labels: [["__name__", "m"]], samples: [[2, 2]] },
      { labels: [["__name__", "a"]], samples: [[3, 3]] },
    ]);
  });
});
