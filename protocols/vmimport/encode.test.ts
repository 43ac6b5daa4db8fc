import { expect, test } from "bun:test";
import { BlockBuilder } from "../promremotewrite/encode.ts";
import { writeRequestToJsonLines } from "./encode.ts";

test("writeRequestToJsonLines", () => {
  const f = (series: { labels: [string, string][]; samples: [number | "stale", number][] }[], want: string) => {
    const b = new BlockBuilder();
    for (const s of series) {
      b.beginSeries();
      for (const [n, v] of s.labels) b.addLabel(n, v);
      for (const [v, t] of s.samples) {
        if (v === "stale") b.addStaleMarker(t);
        else b.addSample(v, t);
      }
      b.endSeries();
    }
    expect(writeRequestToJsonLines(b.finish())).toBe(want);
  };
  f([], "");
  f(
    [{ labels: [["__name__", "m"], ["k", "v"]], samples: [[1, 1000], [2, 2000]] }],
    '{"metric":{"__name__":"m","k":"v"},"values":[1,2],"timestamps":[1000,2000]}\n',
  );
  f(
    [
      { labels: [["__name__", "a"]], samples: [[Number.NaN, 1], [Infinity, 2], [-Infinity, 3], ["stale", 4]] },
      { labels: [['q"uo\\te', "日本\n💡"]], samples: [[-0.5, -1700000000000], [1e21, 0], [0, 9007199254740991]] },
    ],
    '{"metric":{"__name__":"a"},"values":[NaN,Inf,-Inf,NaN],"timestamps":[1,2,3,4]}\n' +
      '{"metric":{"q\\"uo\\\\te":"日本\\n💡"},"values":[-0.5,1e+21,0],"timestamps":[-1700000000000,0,9007199254740991]}\n',
  );
  expect(() => writeRequestToJsonLines(new Uint8Array([0x0a, 0x05]))).toThrow(SyntaxError);
});
