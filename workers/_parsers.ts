/**
 * The push protocols the parse workers understand, by body type. Prometheus
 * remote write is handled by the worker itself (it is relayed, not parsed).
 */
import type { BodyType, ProtocolParser } from "../protocols/_shared/protocol.ts";
import { influxProtocol } from "../protocols/influx/stream.ts";
import { datadogProtocol } from "../protocols/datadog/stream.ts";
import { datadogv2Protocol } from "../protocols/datadogv2/stream.ts";
import { opentelemetryProtocol } from "../protocols/opentelemetry/stream.ts";
import { graphiteProtocol } from "../protocols/graphite/stream.ts";
import { opentsdbProtocol } from "../protocols/opentsdb/stream.ts";
import { opentsdbhttpProtocol } from "../protocols/opentsdbhttp/stream.ts";
import { csvimportProtocol } from "../protocols/csvimport/stream.ts";
import { vmimportProtocol } from "../protocols/vmimport/stream.ts";
import { prometheusProtocol } from "../protocols/prometheus/stream.ts";

const ALL: readonly ProtocolParser[] = [
  datadogProtocol,
  datadogv2Protocol,
  opentelemetryProtocol,
  influxProtocol,
  graphiteProtocol,
  opentsdbProtocol,
  opentsdbhttpProtocol,
  csvimportProtocol,
  vmimportProtocol,
  prometheusProtocol,
];

export const PARSERS: ReadonlyMap<BodyType, ProtocolParser> = new Map(ALL.map((p) => [p.type, p]));
