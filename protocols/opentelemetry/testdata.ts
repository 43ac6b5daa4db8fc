/**
 * Seed corpora for OpenTelemetry `/opentelemetry/v1/metrics`: requests
 * encoded with protobufjs from metrics.proto (realistic collector-style and
 * adversarial), plus hand-made malformed bytes. Used by the parser tests,
 * tests/opentelemetry.test.ts and the shared fuzz test.
 *
 * @module
 */

import protobuf from "protobufjs";

const root = protobuf.loadSync(new URL("metrics.proto", import.meta.url).pathname);
/** The protobufjs type of ExportMetricsServiceRequest. */
export const ExportMetricsServiceRequest = root.lookupType("opentelemetry.ExportMetricsServiceRequest");

/** Encodes a plain-object request (protobufjs `fromObject` shape, camelCase fields). */
export function encodeRequest(obj: Record<string, unknown>): Uint8Array {
  return ExportMetricsServiceRequest.encode(ExportMetricsServiceRequest.fromObject(obj)).finish();
}

const T0 = 1_700_000_000_000_000_000n;
const ts = (sec: number): string => String(T0 + BigInt(sec) * 1_000_000_000n);
const str = (key: string, v: string) => ({ key, value: { stringValue: v } });

/** A collector-style request: `n` metrics of every kind under two resources. */
export function collectorRequest(n: number): Record<string, unknown> {
  const metrics: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const attrs = [str("state", ["user", "system", "idle"][i % 3]!), { key: "cpu", value: { intValue: i % 8 } }];
    switch (i % 6) {
      case 0:
        metrics.push({
          name: `system.cpu.utilization.${i}`,
          unit: "1",
          gauge: { dataPoints: [{ attributes: attrs, timeUnixNano: ts(i), asDouble: (i % 100) / 100 }] },
        });
        break;
      case 1:
        metrics.push({
          name: `http.server.requests.${i}`,
          unit: "{request}",
          sum: {
            aggregationTemporality: 2,
            isMonotonic: true,
            dataPoints: [{ attributes: attrs, startTimeUnixNano: ts(0), timeUnixNano: ts(i), asInt: i * 10 }],
          },
        });
        break;
      case 2:
        metrics.push({
          name: `http.server.duration.${i}`,
          unit: "ms",
          histogram: {
            aggregationTemporality: 2,
            dataPoints: [{
              attributes: attrs,
              timeUnixNano: ts(i),
              count: 10,
              sum: 123.5,
              bucketCounts: [1, 2, 3, 4],
              explicitBounds: [5, 10, 25],
              min: 1,
              max: 40,
            }],
          },
        });
        break;
      case 3:
        metrics.push({
          name: `rpc.latency.${i}`,
          unit: "s",
          exponentialHistogram: {
            aggregationTemporality: 2,
            dataPoints: [
              {
                attributes: attrs,
                timeUnixNano: ts(i),
                count: 17,
                sum: 42.25,
                scale: 2,
                zeroCount: 1,
                zeroThreshold: 1e-9,
                positive: { offset: -3, bucketCounts: [1, 0, 4, 8] },
                negative: { offset: 0, bucketCounts: [3] },
              },
            ],
          },
        });
        break;
      case 4:
        metrics.push({
          name: `go.gc.pause.${i}`,
          summary: {
            dataPoints: [{
              attributes: attrs,
              timeUnixNano: ts(i),
              count: 4,
              sum: 0.5,
              quantileValues: [{ quantile: 0, value: 0.01 }, { quantile: 0.5, value: 0.1 }, {
                quantile: 0.99,
                value: 0.3,
              }, { quantile: 1, value: 0.31 }],
            }],
          },
        });
        break;
      default:
        metrics.push({
          name: `process.memory.usage.${i}`,
          unit: "By",
          sum: {
            aggregationTemporality: 1,
            isMonotonic: false,
            dataPoints: [{ attributes: attrs, timeUnixNano: ts(i), asInt: 1 << 20 }],
          },
        });
    }
  }
  const resource = (svc: string) => ({
    attributes: [str("service.name", svc), str("host.name", "node-1"), str("k8s.pod.name", `${svc}-7d9f`), {
      key: "process.pid",
      value: { intValue: 4242 },
    }],
  });
  return {
    resourceMetrics: [
      {
        resource: resource("checkout"),
        scopeMetrics: [{ scope: { name: "io.opentelemetry.runtime", version: "1.2.3" }, metrics }],
      },
      { resource: resource("cart"), scopeMetrics: [{ metrics: metrics.slice(0, 3) }] },
    ],
  };
}

/** Adversarial but valid requests (each parses). */
export const ADVERSARIAL: Record<string, unknown>[] = [
  // attribute kinds: bool, double, bytes, array (JSON), nested kvlist, empty value, missing value
  {
    resourceMetrics: [
      {
        resource: { attributes: [str("r", "1")] },
        scopeMetrics: [
          {
            scope: {
              name: "",
              version: "",
              attributes: [str("sa", "x"), { key: "sn", value: { kvlistValue: { values: [str("deep", "y")] } } }],
            },
            metrics: [
              {
                name: "attrs",
                gauge: {
                  dataPoints: [
                    {
                      timeUnixNano: ts(1),
                      asDouble: 1,
                      attributes: [
                        { key: "b", value: { boolValue: true } },
                        { key: "f", value: { doubleValue: 1e21 } },
                        { key: "f2", value: { doubleValue: 1.5e-7 } },
                        { key: "neg", value: { intValue: "-9223372036854775808" } },
                        { key: "bytes", value: { bytesValue: "AAEC/w==" } },
                        {
                          key: "arr",
                          value: {
                            arrayValue: {
                              values: [
                                { stringValue: 'q"uote\n' },
                                { intValue: 7 },
                                { doubleValue: 1234567 },
                                { doubleValue: 0.00001 },
                                { boolValue: false },
                                {},
                                { kvlistValue: { values: [str("k", "v"), str("k", "w")] } },
                                { arrayValue: { values: [] } },
                                { bytesValue: "AQI=" },
                              ],
                            },
                          },
                        },
                        {
                          key: "kv",
                          value: {
                            kvlistValue: {
                              values: [
                                str("a", "1"),
                                { key: "b", value: { kvlistValue: { values: [str("c", "2")] } } },
                                { key: "nov" },
                              ],
                            },
                          },
                        },
                        { key: "empty", value: {} },
                        { key: "novalue" },
                        str("unicode.ключ", "значение 🚀"),
                        str("", "emptykey"),
                      ],
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  },
  // values and timestamps: NaN, ±Inf, -0, stale flag, no timestamp, int extremes, delta sums kept
  {
    resourceMetrics: [
      {
        scopeMetrics: [
          {
            metrics: [
              {
                name: "vals",
                gauge: {
                  dataPoints: [
                    { attributes: [str("v", "nan")], timeUnixNano: ts(2), asDouble: NaN },
                    { attributes: [str("v", "inf")], timeUnixNano: ts(2), asDouble: Infinity },
                    { attributes: [str("v", "-inf")], timeUnixNano: ts(2), asDouble: -Infinity },
                    { attributes: [str("v", "-0")], timeUnixNano: ts(2), asDouble: -0 },
                    { attributes: [str("v", "stale")], timeUnixNano: ts(2), asDouble: 5, flags: 1 },
                    { attributes: [str("v", "nots")], asDouble: 6 },
                    { attributes: [str("v", "maxint")], timeUnixNano: ts(2), asInt: "9223372036854775807" },
                    { attributes: [str("v", "minint")], timeUnixNano: ts(2), asInt: "-9223372036854775808" },
                    { attributes: [str("v", "maxts")], timeUnixNano: "18446744073709551615", asDouble: 7 },
                    { attributes: [str("v", "novalue")], timeUnixNano: ts(2) },
                  ],
                },
              },
              {
                name: "delta.sum",
                sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ timeUnixNano: ts(3), asInt: 3 }] },
              },
              { name: "unspecified.sum", sum: { dataPoints: [{ timeUnixNano: ts(3), asDouble: 4 }] } },
              {
                name: "hist.edge",
                histogram: {
                  aggregationTemporality: 1,
                  dataPoints: [
                    { timeUnixNano: ts(4), count: 3, bucketCounts: [1, 2], explicitBounds: [0.1] },
                    { attributes: [str("p", "nobuckets")], timeUnixNano: ts(4), count: 3, sum: 1 },
                    {
                      attributes: [str("p", "mismatch")],
                      timeUnixNano: ts(4),
                      count: 3,
                      sum: 1,
                      bucketCounts: [1, 2],
                      explicitBounds: [1, 2],
                    },
                    {
                      attributes: [str("p", "bounds")],
                      timeUnixNano: ts(4),
                      count: 6,
                      sum: 2,
                      bucketCounts: [1, 2, 3],
                      explicitBounds: [-1e-7, 1e21],
                      flags: 1,
                    },
                  ],
                },
              },
              {
                name: "exp.edge",
                exponentialHistogram: {
                  dataPoints: [
                    { timeUnixNano: ts(5), count: 2, scale: -2, positive: { offset: 1, bucketCounts: [1, 1] } },
                    {
                      attributes: [str("p", "scale20")],
                      timeUnixNano: ts(5),
                      count: 2,
                      sum: 1,
                      scale: 20,
                      zeroCount: 3,
                      positive: { offset: -1048576, bucketCounts: [2] },
                    },
                    { attributes: [str("p", "zero")], timeUnixNano: ts(5), count: 2, sum: 1, zeroCount: 2 },
                  ],
                },
              },
              {
                name: "summary.edge",
                summary: {
                  dataPoints: [{ timeUnixNano: ts(6) }, {
                    attributes: [str("p", "q")],
                    timeUnixNano: ts(6),
                    count: 1,
                    sum: 1,
                    quantileValues: [{ quantile: 0.333333333333, value: 1 }, {}],
                  }],
                },
              },
              { name: "no.data" },
            ],
          },
        ],
      },
      {
        resource: {},
        scopeMetrics: [{
          scope: {},
          metrics: [{ name: "empty.scope", gauge: { dataPoints: [{ timeUnixNano: ts(7), asDouble: 1 }] } }],
        }],
      },
    ],
  },
  // unit handling with -opentelemetry.usePrometheusNaming (and the unit of a previous metric carried over)
  {
    resourceMetrics: [
      {
        resource: {
          attributes: [str("service.name", "naming"), str("_private", "1"), str("0digit", "2"), str("__reserved", "3")],
        },
        scopeMetrics: [
          {
            metrics: [
              {
                name: "http.server.duration",
                unit: "ms",
                histogram: {
                  dataPoints: [{ timeUnixNano: ts(8), count: 1, sum: 1, bucketCounts: [1, 0], explicitBounds: [1] }],
                },
              },
              {
                name: "requests.total.count",
                unit: "1",
                sum: { isMonotonic: true, dataPoints: [{ timeUnixNano: ts(8), asInt: 1 }] },
              },
              { name: "cpu.ratio.usage", unit: "1", gauge: { dataPoints: [{ timeUnixNano: ts(8), asDouble: 0.5 }] } },
              { name: "throughput", unit: "By/s", gauge: { dataPoints: [{ timeUnixNano: ts(8), asDouble: 2 }] } },
              {
                name: "braces",
                unit: "{packets}/ms",
                sum: { isMonotonic: false, dataPoints: [{ timeUnixNano: ts(8), asDouble: 3 }] },
              },
              { name: "inherits.unit", gauge: { dataPoints: [{ timeUnixNano: ts(8), asDouble: 4 }] } },
            ],
          },
        ],
      },
    ],
  },
];

/** Hand-made bodies vmagent rejects: truncated, wrong wire types, a metric without a name, JSON. */
export const INVALID: Uint8Array[] = [
  new Uint8Array([0x0a, 0x05, 0x12]),
  new Uint8Array([0x0b]),
  new Uint8Array([0x0a, 0x02, 0x12, 0x00, 0x0f]),
  new Uint8Array([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
  encodeRequest({
    resourceMetrics: [{
      scopeMetrics: [{ metrics: [{ description: "no name", gauge: { dataPoints: [{ asDouble: 1 }] } }] }],
    }],
  }),
  new TextEncoder().encode('{"resourceMetrics":[]}'),
];

export const SEEDS: Uint8Array[] = [
  encodeRequest(collectorRequest(12)),
  ...ADVERSARIAL.map(encodeRequest),
  ...INVALID,
  new Uint8Array(0),
];
