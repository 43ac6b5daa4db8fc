/**
 * The push protocols the parse workers understand, by body type. Prometheus
 * remote write is handled by the worker itself (it is relayed, not parsed).
 */
import type { BodyType, ProtocolParser } from "../protocols/_shared/protocol.ts";

const ALL: readonly ProtocolParser[] = [];

export const PARSERS: ReadonlyMap<BodyType, ProtocolParser> = new Map(ALL.map((p) => [p.type, p]));
