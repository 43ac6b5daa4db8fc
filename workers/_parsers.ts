/**
 * The push protocols the parse workers understand, by body type. Prometheus
 * remote write is handled by the worker itself (it is relayed, not parsed).
 */
import type { BodyType, ProtocolParser } from "../protocols/_shared/protocol.ts";
import { influxProtocol } from "../protocols/influx/stream.ts";

const ALL: readonly ProtocolParser[] = [influxProtocol];

export const PARSERS: ReadonlyMap<BodyType, ProtocolParser> = new Map(ALL.map((p) => [p.type, p]));
