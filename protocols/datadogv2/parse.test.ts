import { describe, expect, test } from "bun:test";
import { seriesPairs, testWriter } from "../_shared/testing.ts";
import protobuf from "protobufjs";
import { ParseError } from "../_shared/protocol.ts";
import { parseDatadogV2 } from "./parse.ts";
import { encodeMetricPayload, INVALID, PROTOBUF, SEEDS } from "./testdata.ts";

const NOW = 1_800_000_000_500;
type Out = [labels: string, samples: [number, number][]][];

const root = protobuf.loadSync(new URL("series.proto", import.meta.url).pathname);
const MetricPayload = root.lookupType("datadog.agentpayload.MetricPayload");

function run(body: string | Uint8Array, sanitize = false): Out {
  const t = testWriter();
  parseDatadogV2(typeof body === "string" ? new TextEncoder().encode(body) : body, t.w, {
    sanitizeMetricName: sanitize,
    nowMs: NOW,
  });
  return seriesPairs(t.decoded());
}

describe("parseDatadogV2", () => {
  test("JSON: resources, source_type_name, tags, points", () => {
    const f = (body: string, want: Out) => expect(run(body)).toEqual(want);
    f(
      `{"series":[{"metric":"m","type":3,"points":[{"timestamp":1700000000,"value":1.5}],"resources":[{"name":"h1","type":"host"},{"type":"pod","name":"p"}],"tags":["env:prod","host:h2","bare"],"source_type_name":"src","interval":10}]}`,
      [["__name__=m,host=h1,pod=p,source_type_name=src,env=prod,exported_host=h2,bare=no_label_value", [[
        1700000000000,
        1.5,
      ]]]],
    );
    // timestamps ≤ 0 → now (whole seconds); nulls are zero values
    f(`{"series":[{"metric":"m","points":[{"value":1},{"timestamp":-1,"value":2},null],"resources":[null]}]}`, [
      ["__name__=m,=", [[1800000000000, 1], [1800000000000, 2], [1800000000000, 0]]],
    ]);
    f(`{"Series":[{"METRIC":"m","Points":[{"Timestamp":1,"Value":2}],"Tags":["a:b"],"Source_Type_Name":"s"}]}`, [
      ["__name__=m,source_type_name=s,a=b", [[1000, 2]]],
    ]);
    f(`null`, []);
  });

  test("protobuf: decoded like protobufjs encodes it", () => {
    const f = (obj: Record<string, unknown>, want: Out) => {
      const bytes = MetricPayload.encode(MetricPayload.fromObject(obj)).finish();
      expect(run(bytes)).toEqual(want);
    };
    f(
      {
        series: [
          {
            metric: "pb",
            resources: [{ type: "host", name: "h" }],
            tags: ["env:prod", "host:x"],
            points: [{ value: 2.5, timestamp: 1700000000 }, { value: -1, timestamp: 0 }, { value: 3, timestamp: -2 }],
            type: 3,
            unit: "byte",
            sourceTypeName: "System",
            interval: 10,
          },
          { metric: "" },
        ],
      },
      [
        ["__name__=pb,host=h,source_type_name=System,env=prod,exported_host=x", [[1700000000000, 2.5], [0, -1], [
          -2000,
          3,
        ]]],
        ["__name__=", []],
      ],
    );
    // An empty body is taken as JSON (vmagent's default without the protobuf content type): rejected.
    expect(() => run(new Uint8Array(0))).toThrow(ParseError);
    // The hand-encoded seeds agree with protobufjs.
    for (const seed of PROTOBUF) expect(MetricPayload.decode(seed)).toBeDefined();
  });

  test("protobuf starting with 0x0a 0x7b (looks like JSON) is protobuf", () => {
    expect(run(PROTOBUF[1]!)).toEqual([[`__name__=${"x".repeat(96)}`, [[1700000000000, 1]]]]);
  });

  test("metric names are sanitized when asked; tag names are not", () => {
    expect(run(encodeMetricPayload([{ metric: "a b__c", tags: ["x y:1"], points: [[1, 1]] }]), true)).toEqual([
      ["__name__=a_b_c,x y=1", [[1000, 1]]],
    ]);
  });

  test("invalid bodies throw ParseError", () => {
    for (const body of INVALID) expect(() => run(body)).toThrow(ParseError);
    const f = (bytes: number[]) => expect(() => run(new Uint8Array(bytes))).toThrow(ParseError);
    f([0x0a, 0x05, 0x12]); // truncated series
    f([0x0a, 0x02, 0x12, 0x05]); // truncated metric
    f([0x0a, 0x02, 0x10, 0x01]); // metric as varint
    f([0x0a, 0x03, 0x22, 0x01, 0x08]); // point value as varint? field 1 wire 0 → wrong wire type
    f([0x0b]); // group wire type
  });

  test("seeds and mutations parse or fail with ParseError only", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 20000; i++) {
      const b = SEEDS[i % SEEDS.length]!.slice();
      for (let k = 0; k < 3 && b.length > 0; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      try {
        run(rnd() < 0.2 ? b.subarray(0, Math.floor(rnd() * b.length)) : b);
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
      }
    }
  });
});
