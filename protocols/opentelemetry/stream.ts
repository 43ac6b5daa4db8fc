/**
 * Parse-worker side of OpenTelemetry `POST /opentelemetry/v1/metrics`.
 *
 * @module
 */

import { BodyType, type ParseContext, type ProtocolParser } from "../_shared/protocol.ts";
import { parseOpenTelemetry } from "./parse.ts";

/** OTLP/HTTP protobuf metrics; metrics are labelled `type="opentelemetry"` as in current vmagent. */
export const opentelemetryProtocol: ProtocolParser = {
  type: BodyType.OpenTelemetry,
  name: "opentelemetry",
  parse(body: Uint8Array, ctx: ParseContext): void {
    parseOpenTelemetry(body, ctx.w, { usePrometheusNaming: ctx.config.opentelemetry.usePrometheusNaming });
  },
};
