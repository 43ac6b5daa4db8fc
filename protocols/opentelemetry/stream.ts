/**
 * Parse-worker side of OpenTelemetry `POST /opentelemetry/v1/metrics`.
 *
 * @module
 */

import { BodyType, ContentKind, type ParseContext, ParseError, type ProtocolParser } from "../_shared/protocol.ts";
import { parseOpenTelemetry } from "./parse.ts";

/** OTLP/HTTP protobuf metrics; metrics are labelled `type="opentelemetry"` as in current vmagent. */
export const opentelemetryProtocol: ProtocolParser = {
  type: BodyType.OpenTelemetry,
  name: "opentelemetry",
  parse(body: Uint8Array, ctx: ParseContext): void {
    // As vmagent: a JSON content type is refused (parse() also refuses a body starting with "{").
    if (ctx.contentType === ContentKind.Json) {
      throw new ParseError("json encoding isn't supported for opentelemetry format. Use protobuf encoding");
    }
    parseOpenTelemetry(body, ctx.w, { usePrometheusNaming: ctx.config.opentelemetry.usePrometheusNaming });
  },
};
