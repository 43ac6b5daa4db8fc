import { describe, expect, test } from "bun:test";
import { labelText, testWriter } from "../_shared/testing.ts";
import { ParseError } from "../_shared/protocol.ts";
import { SeriesWriter } from "../_shared/series_writer.ts";
import { BlockBuilder } from "../promremotewrite/encode.ts";
import { formatFloatE3, formatFloatF, formatFloatG, goPow, goQuote } from "./go_format.ts";
import { MetricType, prometheusLabelName, prometheusMetricName } from "./naming.ts";
import { parseOpenTelemetry } from "./parse.ts";
import { ADVERSARIAL, collectorRequest, encodeRequest, INVALID, SEEDS } from "./testdata.ts";

type Out = [labels: string, samples: [number, number | string][]][];

function run(body: Uint8Array, naming = false): Out {
  const t = testWriter();
  parseOpenTelemetry(body, t.w, { usePrometheusNaming: naming });
  return t.decoded().map((
    s,
  ) => [
    labelText(s.labels),
    s.samples.map((x) => [x.timestamp, x.stale ? "stale" : x.value] as [number, number | string]),
  ]);
}

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
/** A request as in vmagent's streamparser_test: resource job=vm, scope foo/bar with abc=qwe. */
const req = (metrics: unknown[]) =>
  encodeRequest({
    resourceMetrics: [
      {
        resource: { attributes: [str("job", "vm")] },
        scopeMetrics: [{ scope: { name: "foo", version: "bar", attributes: [str("abc", "qwe")] }, metrics }],
      },
    ],
  });
const BASE = "job=vm,scope.name=foo,scope.version=bar,scope.attributes.abc=qwe";
const PBASE = "job=vm,scope_name=foo,scope_version=bar,scope_attributes_abc=qwe";

describe("parseOpenTelemetry", () => {
  test("metric kinds map as in vmagent's own tests", () => {
    const f = (metrics: unknown[], want: Out, naming = false) => expect(run(req(metrics), naming)).toEqual(want);
    const gauge = (name: string, unit = "") => ({
      name,
      unit,
      gauge: { dataPoints: [{ attributes: [str("label1", "value1")], asInt: 15, timeUnixNano: 15e9 }] },
    });
    f([gauge("my-gauge")], [[`__name__=my-gauge,${BASE},label1=value1`, [[15000, 15]]]]);
    f([gauge("my-gauge", "ms")], [[`__name__=my_gauge_milliseconds,${PBASE},label1=value1`, [[15000, 15]]]], true);
    f([gauge("my-gauge-milliseconds", "1")], [[`__name__=my_gauge_milliseconds_ratio,${PBASE},label1=value1`, [[
      15000,
      15,
    ]]]], true);
    f(
      [{
        name: "my-total-sum",
        unit: "m/s",
        sum: {
          isMonotonic: true,
          dataPoints: [{ attributes: [str("label5", "value5")], asDouble: 15.5, timeUnixNano: 150e9 }],
        },
      }],
      [[`__name__=my_sum_meters_per_second_total,${PBASE},label5=value5`, [[150000, 15.5]]]],
      true,
    );
    f(
      [{
        name: "my-histogram",
        histogram: {
          dataPoints: [{
            attributes: [str("label2", "value2")],
            count: 15,
            sum: 30,
            explicitBounds: [0.1, 0.5, 1, 5],
            bucketCounts: [0, 5, 10, 0, 0],
            timeUnixNano: 30e9,
          }],
        },
      }],
      [
        [`__name__=my-histogram_count,${BASE},label2=value2`, [[30000, 15]]],
        [`__name__=my-histogram_sum,${BASE},label2=value2`, [[30000, 30]]],
        [`__name__=my-histogram_bucket,${BASE},label2=value2,le=0.1`, [[30000, 0]]],
        [`__name__=my-histogram_bucket,${BASE},label2=value2,le=0.5`, [[30000, 5]]],
        [`__name__=my-histogram_bucket,${BASE},label2=value2,le=1`, [[30000, 15]]],
        [`__name__=my-histogram_bucket,${BASE},label2=value2,le=5`, [[30000, 15]]],
        [`__name__=my-histogram_bucket,${BASE},label2=value2,le=+Inf`, [[30000, 15]]],
      ],
    );
    f(
      [{
        name: "my-summary",
        summary: {
          dataPoints: [{
            attributes: [str("label6", "value6")],
            timeUnixNano: 35e9,
            sum: 32.5,
            count: 5,
            quantileValues: [{ quantile: 0.1, value: 7.5 }, { quantile: 1, value: 15 }],
          }],
        },
      }],
      [
        [`__name__=my-summary_count,${BASE},label6=value6`, [[35000, 5]]],
        [`__name__=my-summary_sum,${BASE},label6=value6`, [[35000, 32.5]]],
        [`__name__=my-summary,${BASE},label6=value6,quantile=0.1`, [[35000, 7.5]]],
        [`__name__=my-summary,${BASE},label6=value6,quantile=1`, [[35000, 15]]],
      ],
    );
    f(
      [
        {
          name: "test-histogram",
          unit: "m/s",
          exponentialHistogram: {
            dataPoints: [{
              attributes: [str("label1", "value1")],
              timeUnixNano: 15e9,
              count: 20,
              sum: 4578,
              scale: 7,
              positive: { offset: 7, bucketCounts: [0, 0, 0, 0, 5, 10, 0, 0, 1] },
            }],
          },
        },
      ],
      [
        [`__name__=test_histogram_meters_per_second_count,${PBASE},label1=value1`, [[15000, 20]]],
        [`__name__=test_histogram_meters_per_second_sum,${PBASE},label1=value1`, [[15000, 4578]]],
        [`__name__=test_histogram_meters_per_second_bucket,${PBASE},label1=value1,vmrange=1.061e+00...1.067e+00`, [[
          15000,
          5,
        ]]],
        [`__name__=test_histogram_meters_per_second_bucket,${PBASE},label1=value1,vmrange=1.067e+00...1.073e+00`, [[
          15000,
          10,
        ]]],
        [`__name__=test_histogram_meters_per_second_bucket,${PBASE},label1=value1,vmrange=1.085e+00...1.091e+00`, [[
          15000,
          1,
        ]]],
      ],
      true,
    );
    // nested attributes, as in vmagent's test
    f(
      [
        {
          name: "my-gauge",
          gauge: {
            dataPoints: [
              {
                timeUnixNano: 15e9,
                asInt: 15,
                attributes: [
                  str("label1", "value1"),
                  { key: "emptylabelvalue", value: {} },
                  { key: "emptylabel" },
                  {
                    key: "label_array",
                    value: { arrayValue: { values: [{ stringValue: "value5" }, { kvlistValue: {} }] } },
                  },
                  {
                    key: "nested_label",
                    value: {
                      kvlistValue: {
                        values: [
                          { key: "empty_value" },
                          str("value_top_2", "valuetop"),
                          {
                            key: "nested_kv_list",
                            value: {
                              kvlistValue: {
                                values: [{ key: "integer", value: { intValue: 15 } }, {
                                  key: "double",
                                  value: { doubleValue: 5.1 },
                                }, str("string", "value2")],
                              },
                            },
                          },
                        ],
                      },
                    },
                  },
                ],
              },
            ],
          },
        },
      ],
      [
        [
          `__name__=my-gauge,${BASE},label1=value1,label_array=["value5",{}],nested_label.value_top_2=valuetop,nested_label.nested_kv_list.integer=15,nested_label.nested_kv_list.double=5.1,nested_label.nested_kv_list.string=value2`,
          [[15000, 15]],
        ],
      ],
    );
  });

  test("stale flag, missing timestamp, delta temporality, skipped histogram points", () => {
    const out = run(encodeRequest(ADVERSARIAL[1]!));
    const find = (prefix: string) => out.filter(([l]) => l.startsWith(prefix));
    expect(find("__name__=vals,v=stale")).toEqual([["__name__=vals,v=stale", [[1700000002000, "stale"]]]]);
    expect(find("__name__=vals,v=nots")).toEqual([["__name__=vals,v=nots", [[0, 6]]]]);
    expect(find("__name__=vals,v=maxts")).toEqual([["__name__=vals,v=maxts", [[18446744073709, 7]]]]);
    expect(find("__name__=delta.sum")).toHaveLength(1);
    expect(find("__name__=hist.edge_count,p=nobuckets")).toEqual([]);
    expect(find("__name__=hist.edge_count,p=mismatch")).toEqual([]);
    expect(find("__name__=no.data")).toEqual([]);
  });

  test("malformed requests throw ParseError before writing", () => {
    for (const body of INVALID) {
      const b = new BlockBuilder();
      expect(() => parseOpenTelemetry(body, new SeriesWriter(b, [], () => {}), { usePrometheusNaming: false })).toThrow(
        ParseError,
      );
      expect(b.series).toBe(0);
    }
    // a good metric followed by a nameless one: nothing is written
    const body = encodeRequest({
      resourceMetrics: [{
        scopeMetrics: [{ metrics: [{ name: "ok", gauge: { dataPoints: [{ asDouble: 1 }] } }, { unit: "x" }] }],
      }],
    });
    const b = new BlockBuilder();
    expect(() => parseOpenTelemetry(body, new SeriesWriter(b, [], () => {}), { usePrometheusNaming: false })).toThrow(
      "Missing metric name",
    );
    expect(b.series).toBe(0);
  });

  test("a collector request parses", () => {
    expect(run(encodeRequest(collectorRequest(12))).length).toBeGreaterThan(40);
  });

  test("Go number formatting", () => {
    const f = (x: number, fmtF: string, fmtG: string, fmtE: string) => {
      expect(formatFloatF(x)).toBe(fmtF);
      expect(formatFloatG(x)).toBe(fmtG);
      expect(formatFloatE3(x)).toBe(fmtE);
    };
    f(0, "0", "0", "0.000e+00");
    f(-0, "-0", "-0", "-0.000e+00");
    f(1, "1", "1", "1.000e+00");
    f(0.1, "0.1", "0.1", "1.000e-01");
    f(1e21, "1000000000000000000000", "1e+21", "1.000e+21");
    f(1234567, "1234567", "1.234567e+06", "1.235e+06");
    f(123456, "123456", "123456", "1.235e+05");
    f(1e-5, "0.00001", "1e-05", "1.000e-05");
    f(0.0001, "0.0001", "0.0001", "1.000e-04");
    f(0.015625, "0.015625", "0.015625", "1.562e-02"); // tie → even
    f(0.046875, "0.046875", "0.046875", "4.688e-02"); // tie → even (up)
    f(9.9996, "9.9996", "9.9996", "1.000e+01");
    f(-2.5e-300, "-0." + "0".repeat(299) + "25", "-2.5e-300", "-2.500e-300");
    f(NaN, "NaN", "NaN", "NaN");
    f(Infinity, "+Inf", "+Inf", "+Inf");
    f(-Infinity, "-Inf", "-Inf", "-Inf");
    expect(goQuote('a"b\\c\n\x01\x7f\u00ad😀')).toBe('"a\\"b\\\\c\\n\\x01\\x7f\\u00ad😀"');
  });

  test("goPow matches exact powers of two and Math.pow closely", () => {
    const f = (x: number, y: number, want: number) => expect(goPow(x, y)).toBe(want);
    f(2, 10, 1024);
    f(2, -3, 0.125);
    f(2, 0.5, Math.SQRT2);
    f(16, 3, 4096);
    for (const [x, y] of [[2, 0.0078125], [1.0054299011128027, 100], [2, -7.3]] as const) {
      expect(Math.abs(goPow(x, y) / Math.pow(x, y) - 1)).toBeLessThan(1e-14);
    }
  });

  test("Prometheus naming", () => {
    const f = (name: string, unit: string, type: MetricType, want: string) =>
      expect(prometheusMetricName(name, unit, type)).toBe(want);
    f("my-gauge", "ms", MetricType.Gauge, "my_gauge_milliseconds");
    f("my-gauge-milliseconds", "ms", MetricType.Gauge, "my_gauge_milliseconds");
    f("my-total-sum", "ms", MetricType.Counter, "my_sum_milliseconds_total");
    f("my-total-sum", "m/s", MetricType.Counter, "my_sum_meters_per_second_total");
    f("a.b", "{thing}", MetricType.Gauge, "a_b");
    f("a", " By / s ", MetricType.Summary, "a_bytes_per_second");
    f("x..y__z", "", MetricType.Unknown, "x_y_z");
    f("constructor", "constructor", MetricType.Gauge, "constructor");
    const g = (name: string, want: string) => expect(prometheusLabelName(name)).toBe(want);
    g("service.name", "service_name");
    g("_x", "key_x");
    g("_", "key_");
    g("__x", "__x");
    g("1a", "key_1a");
    g("ключ", "____");
    g("", "");
  });

  test("seeds and mutations parse or fail with ParseError only", () => {
    let seed = 3;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 20000; i++) {
      const b = SEEDS[i % SEEDS.length]!.slice();
      for (let k = 0; k < 3 && b.length > 0; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      try {
        run(rnd() < 0.2 ? b.subarray(0, Math.floor(rnd() * b.length)) : b, i % 2 === 0);
      } catch (err) {
        if (!(err instanceof ParseError)) throw err;
      }
    }
  });
});
