import { describe, expect, test } from "bun:test";
import { rng } from "../_shared/testing.ts";
import protobuf from "protobufjs";
import { decodeWriteRequest, type RelayOptions, relayWriteRequest, validateWriteRequest } from "./decode.ts";
import { BlockBuilder } from "./encode.ts";

const root = protobuf.loadSync(new URL("remote.proto", import.meta.url).pathname);
const WriteRequest = root.lookupType("prometheus.WriteRequest");

type Labels = [string, string][];
type Series = { labels: Labels; samples: [number, number][] };
type PbSeries = {
  labels: { name: string; value: string }[];
  samples: { value: number; timestamp: number }[];
  exemplars?: { labels: { name: string; value: string }[]; value: number; timestamp: number }[];
};

const FAST: RelayOptions = { setLabels: [], dropEmptyAndInternal: false };

function pbEncode(timeseries: PbSeries[], metadata: object[] = []): Uint8Array {
  return WriteRequest.encode(WriteRequest.fromObject({ timeseries, metadata })).finish();
}

function pbDecode(bytes: Uint8Array): Series[] {
  const obj = WriteRequest.toObject(WriteRequest.decode(bytes), { longs: Number, defaults: true }) as {
    timeseries: PbSeries[];
  };
  return obj.timeseries.map((ts) => ({
    labels: ts.labels.map((l) => [l.name, l.value] as [string, string]),
    samples: ts.samples.map((s) => [s.value, s.timestamp] as [number, number]),
  }));
}

const VALUES = [0, -0, 1, -1.5, Number.NaN, Infinity, -Infinity, Number.MAX_VALUE, 5e-324, 1e21, 123456.789];
const TIMESTAMPS = [0, 1, -1, 1.7e12, -1.7e12, 2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 32, 127, 128];
const CHARS = ["a", "b", "_", "z", "0", "é", "日", "💡", "ж", " ", '"', "\\"];

function randomRequest(r: () => number, nSeries: number, withExtras: boolean): { bytes: Uint8Array; ts: PbSeries[] } {
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)]!;
  const str = (max: number) => Array.from({ length: Math.floor(r() * max) }, () => pick(CHARS)).join("");
  const ts: PbSeries[] = [];
  for (let i = 0; i < nSeries; i++) {
    const labels = [{ name: "__name__", value: `m${i}` }];
    const nl = Math.floor(r() * 12);
    for (let j = 0; j < nl; j++) {
      labels.push({ name: pick(["job", "__x", "instance", "", "k" + str(5)]), value: str(r() < 0.05 ? 300 : 8) });
    }
    const samples = Array.from(
      { length: Math.floor(r() * 4) },
      () => ({ value: pick(VALUES), timestamp: pick(TIMESTAMPS) }),
    );
    const s: PbSeries = { labels, samples };
    if (withExtras && r() < 0.3) {
      s.exemplars = [{ labels: [{ name: "trace_id", value: "abc" }], value: 1, timestamp: 5 }];
    }
    ts.push(s);
  }
  const metadata = withExtras ? [{ type: 1, metricFamilyName: "m0", help: "h", unit: "" }] : [];
  return { bytes: pbEncode(ts, metadata), ts };
}

/** Expected labels after relaying with `opts`, or null when the series is dropped. */
function expectLabels(labels: Labels, opts: RelayOptions): Labels | null {
  const res = labels.map(([n, v]) => [n, v] as [string, string]);
  const set = new Map<string, string>();
  for (const [n, v] of opts.setLabels) set.set(n, v);
  for (const [n, v] of set) {
    const l = res.slice(0, labels.length).find(([name]) => name === n);
    if (l) l[1] = v;
    else res.push([n, v]);
  }
  if (!opts.dropEmptyAndInternal) return res;
  const kept = res.filter(([n, v]) => v !== "" && (!n.startsWith("__") || n === "__name__"));
  return kept.length > 0 ? kept : null;
}

function relay(src: Uint8Array, opts: RelayOptions): { bytes: Uint8Array; series: number; samples: number } {
  const out = new BlockBuilder(64);
  const res = relayWriteRequest(src, out, opts);
  expect([out.series, out.rows]).toEqual([res.series, res.samples]);
  return { bytes: out.finish(), ...res };
}

describe("relayWriteRequest", () => {
  test("random requests round-trip through protobufjs (fast and rewrite paths)", () => {
    const r = rng(42);
    const optsList: RelayOptions[] = [
      FAST,
      { setLabels: [["job", "new"], ["extra", "1"]], dropEmptyAndInternal: false },
      { setLabels: [], dropEmptyAndInternal: true },
      { setLabels: [["__x", "kept?"], ["job", ""], ["zz", "日本"], ["zz", "last"]], dropEmptyAndInternal: true },
    ];
    for (let iter = 0; iter < 60; iter++) {
      const withExtras = iter % 2 === 1;
      const { bytes, ts } = randomRequest(r, 1 + Math.floor(r() * 60), withExtras);
      const input = pbDecode(bytes);
      for (const opts of optsList) {
        const got = relay(bytes, opts);
        const want: Series[] = [];
        for (const s of input) {
          const labels = expectLabels(s.labels, opts);
          if (labels !== null) want.push({ labels, samples: s.samples });
        }
        expect(pbDecode(got.bytes)).toEqual(want);
        expect(got.series).toBe(want.length);
        expect(got.samples).toBe(want.reduce((n, s) => n + s.samples.length, 0));
        const decoded = WriteRequest.decode(got.bytes) as unknown as { timeseries: { exemplars: unknown[] }[] };
        expect(decoded.timeseries.every((t) => t.exemplars.length === 0)).toBe(true);
        if (opts === FAST && !withExtras) expect(got.bytes).toEqual(bytes); // verbatim copy keeps every bit
        expect(decodeWriteRequest(got.bytes).map((s) => s.labels)).toEqual(want.map((s) => s.labels));
      }
      expect(validateWriteRequest(bytes)).toEqual({
        series: ts.length,
        samples: input.reduce((n, s) => n + s.samples.length, 0),
        clean: !withExtras,
      });
    }
  });

  test("setLabels and dropEmptyAndInternal", () => {
    const f = (labels: Labels, setLabels: Labels, drop: boolean, want: Labels | null) => {
      const b = new BlockBuilder();
      b.beginSeries();
      for (const [n, v] of labels) b.addLabel(n, v);
      b.addSample(1, 1000);
      b.endSeries();
      const got = relay(b.finish(), { setLabels, dropEmptyAndInternal: drop });
      expect(pbDecode(got.bytes)).toEqual(want === null ? [] : [{ labels: want, samples: [[1, 1000]] }]);
      expect(got.series).toBe(want === null ? 0 : 1);
    };
    f([["__name__", "m"], ["job", "a"]], [["job", "b"]], false, [["__name__", "m"], ["job", "b"]]);
    f([["__name__", "m"]], [["job", "b"], ["dc", "x"]], false, [["__name__", "m"], ["job", "b"], ["dc", "x"]]);
    f([["job", "a"], ["__name__", "m"]], [["__name__", "n"]], false, [["job", "a"], ["__name__", "n"]]);
    f([["a", "1"], ["a", "2"]], [["a", "3"]], false, [["a", "3"], ["a", "2"]]); // first same-name label only
    f([["a", "1"]], [["b", "2"], ["b", "3"]], false, [["a", "1"], ["b", "3"]]); // last duplicate wins
    f([["__name__", "m"], ["e", ""], ["__meta", "x"], ["_ok", "y"]], [], true, [["__name__", "m"], ["_ok", "y"]]);
    f([["__name__", "m"], ["job", "a"]], [["job", ""]], true, [["__name__", "m"]]); // empty set value removes
    f([["__name__", "m"]], [["__tenant", "1"]], true, [["__name__", "m"]]);
    f([["__name__", "m"], ["e", ""]], [], false, [["__name__", "m"], ["e", ""]]);
    f([["__a", "1"], ["b", ""]], [], true, null); // nothing left: series dropped
    f([["日本", "ü"]], [["日本", "💡"]], false, [["日本", "💡"]]);
  });

  test("stale markers and unknown fields are copied bit-exactly", () => {
    const b = new BlockBuilder();
    b.beginSeries();
    b.addLabel("__name__", "m");
    b.addLabel("job", "");
    b.addStaleMarker(5);
    b.addSample(2, 6);
    b.endSeries();
    const src = b.finish();
    for (const opts of [FAST, { setLabels: [["x", "y"]], dropEmptyAndInternal: true }] as RelayOptions[]) {
      const [s] = decodeWriteRequest(relay(src, opts).bytes);
      expect(s!.samples.map((x) => [x.stale, x.timestamp])).toEqual([[true, 5], [false, 6]]);
    }
    // Unknown top-level fields (varint, fixed32, fixed64, bytes) and metadata are skipped.
    const extra = new Uint8Array([
      0x10,
      0x96,
      0x01,
      0x2d,
      1,
      2,
      3,
      4,
      0x31,
      1,
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      0x3a,
      2,
      9,
      9,
      0x1a,
      1,
      0x08,
    ]);
    const mixed = new Uint8Array([...extra, ...src, ...extra]);
    expect(relay(mixed, FAST).bytes).toEqual(src);
  });

  test("malformed input throws SyntaxError naming the problem", () => {
    const f = (bytes: number[], want: string) => {
      const out = new BlockBuilder();
      expect(() => relayWriteRequest(new Uint8Array(bytes), out, FAST)).toThrow(
        new SyntaxError(`Cannot parse WriteRequest: ${want}`),
      );
      expect(out.byteLength).toBe(0);
      expect(() => decodeWriteRequest(new Uint8Array(bytes))).toThrow(SyntaxError);
    };
    f([0x08, 0x01], "wrong wire type 0 for field WriteRequest.timeseries at offset 0");
    f([0x19, 1, 2, 3, 4, 5, 6, 7, 8], "wrong wire type 1 for field WriteRequest.metadata at offset 0");
    f([0x0a, 0x02, 0x08, 0x01], "wrong wire type 0 for field TimeSeries.labels at offset 2");
    f([0x0a, 0x04, 0x0a, 0x02, 0x08, 0x01], "wrong wire type 0 for field Label.name at offset 4");
    f([0x0a, 0x04, 0x12, 0x02, 0x08, 0x01], "wrong wire type 0 for field Sample.value at offset 4");
    f([0x0a, 0x05, 0x12, 0x03, 0x12, 0x01, 0x00], "wrong wire type 2 for field Sample.timestamp at offset 4");
    f([0x0a, 0x05], "TimeSeries length 5 at offset 1 exceeds the remaining 0 bytes");
    f([0x0a, 0x03, 0x0a, 0x05, 0x00], "TimeSeries.labels length 5 at offset 3 exceeds the remaining 1 bytes");
    f([0x0a], "truncated varint at offset 1");
    f([0x0a, 0x80], "truncated varint at offset 1");
    f([0x00], "invalid field number 0 at offset 0");
    f([0x0b], "wrong wire type 3 for field WriteRequest.timeseries at offset 0");
    f([0x2b], "unterminated group starting at offset 1");
    f([0x2c], "unexpected end of group at offset 1");
    f([0x2e], "unsupported wire type 6 at offset 1");
    f([0x0a, 0x0c, 0x28, ...Array(10).fill(0xff), 0x01], "varint longer than 10 bytes at offset 3");
    f([0x0a, 0x05, 0x12, 0x03, 0x09, 0x00, 0x00], "truncated Sample.value at offset 5");
    f([0x2d, 0x01], "truncated fixed32 at offset 1");
    f([0x29, 0x01], "truncated fixed64 at offset 1");
    f(
      [0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01],
      "TimeSeries length 18446744073709552000 at offset 1 exceeds the remaining 0 bytes",
    );
  });

  test("every truncation fails unless it falls between series; nothing is left in out", () => {
    const parts = randomRequest(rng(3), 8, true).ts.map((s) => pbEncode([s]));
    const src = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    const boundaries = new Set([0]);
    let off = 0;
    for (const p of parts) {
      src.set(p, off);
      off += p.length;
      boundaries.add(off);
    }
    for (let cut = 0; cut <= src.length; cut++) {
      const out = new BlockBuilder();
      build1(out);
      const before = out.byteLength;
      const opts = cut % 2 ? FAST : { setLabels: [["a", "b"]] as [string, string][], dropEmptyAndInternal: true };
      try {
        relayWriteRequest(src.subarray(0, cut), out, opts);
        expect(boundaries.has(cut)).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(SyntaxError);
        expect(boundaries.has(cut)).toBe(false);
        expect([out.byteLength, out.series, out.rows]).toEqual([before, 1, 1]);
      }
    }
  });

  test("random and mutated bytes only ever throw SyntaxError", () => {
    const r = rng(9);
    const valid = randomRequest(r, 5, true).bytes;
    const opts: RelayOptions = { setLabels: [["a", "b"]], dropEmptyAndInternal: true };
    for (let i = 0; i < 4000; i++) {
      let bytes: Uint8Array;
      if (i % 2) bytes = Uint8Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256));
      else {
        bytes = valid.slice();
        for (let k = 0; k < 3; k++) bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256);
      }
      for (const o of [FAST, opts]) {
        const out = new BlockBuilder(16);
        try {
          const res = relayWriteRequest(bytes, out, o);
          expect(out.series).toBe(res.series);
          // Output must be a valid WriteRequest (UTF-8 is not checked, so protobufjs could reject it).
          expect(decodeWriteRequest(out.finish()).length).toBe(res.series);
        } catch (e) {
          if (!(e instanceof SyntaxError)) throw e;
          expect(out.byteLength).toBe(0);
        }
      }
    }
  });

  test("onSeries lets the caller flush between series", () => {
    const { bytes } = randomRequest(rng(11), 200, true);
    const f = (opts: RelayOptions) => {
      const out = new BlockBuilder();
      const blocks: Uint8Array[] = [];
      const res = relayWriteRequest(bytes, out, opts, () => {
        if (out.rows >= 7 || out.byteLength >= 1000) {
          blocks.push(out.finish());
          out.reset();
        }
      });
      blocks.push(out.finish());
      expect(blocks.length).toBeGreaterThan(10);
      expect(blocks.flatMap((b) => pbDecode(b))).toEqual(pbDecode(relay(bytes, opts).bytes));
      expect(res.series).toBe(blocks.reduce((n, b) => n + pbDecode(b).length, 0));
    };
    f(FAST);
    f({ setLabels: [["x", "y"]], dropEmptyAndInternal: true });
    // Invalid input: validated before anything is appended, so the callback never runs.
    let calls = 0;
    const out = new BlockBuilder();
    expect(() => relayWriteRequest(bytes.subarray(0, bytes.length - 1), out, FAST, () => calls++)).toThrow(SyntaxError);
    expect([calls, out.byteLength]).toEqual([0, 0]);
  });
});

function build1(out: BlockBuilder): void {
  out.beginSeries();
  out.addLabel("pre", "existing");
  out.addSample(1, 1);
  out.endSeries();
}

describe("relayWriteRequest appendLabels", () => {
  test("appends extra labels verbatim, then setLabels overwrite the first match (vmagent v1.79.5 order)", () => {
    const b = new BlockBuilder();
    b.beginSeries();
    b.addLabel("__name__", "m");
    b.addLabel("label0", "orig0");
    b.addLabel("label1", "orig1");
    b.addSample(1, 1000);
    b.endSeries();
    const src = b.finish();
    const out = new BlockBuilder();
    relayWriteRequest(src, out, {
      appendLabels: [["label0", "over"], ["env", "prod"], ["label1", "extra"]],
      setLabels: [["label1", "global"], ["gl", "x"]],
      dropEmptyAndInternal: true,
    });
    const [series] = decodeWriteRequest(out.finish());
    // VictoriaMetrics keeps the last of duplicate names: label0=over, label1=extra, as the real vmagent delivers.
    expect(series!.labels).toEqual([
      ["__name__", "m"],
      ["label0", "orig0"],
      ["label1", "global"],
      ["label0", "over"],
      ["env", "prod"],
      ["label1", "extra"],
      ["gl", "x"],
    ]);
  });
});
