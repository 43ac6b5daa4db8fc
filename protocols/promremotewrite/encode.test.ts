import { describe, expect, test } from "bun:test";
import protobuf from "protobufjs";
import { decodeWriteRequest } from "./decode.ts";
import { BlockBuilder } from "./encode.ts";

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
      many.push({ labels, samples: Array.from({ length: i % 5 }, (_, k) => [i * 1.25 + k, 1.7e12 + k] as [number, number]) });
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
});
