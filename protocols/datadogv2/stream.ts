/**
 * Parse-worker side of DataDog v2 `POST /datadog/api/v2/series`.
 *
 * @module
 */

import { BodyType, type ParseContext, type ProtocolParser } from "../_shared/protocol.ts";
import { parseDatadogV2 } from "./parse.ts";

/** DataDog v2 series (JSON or protobuf); metrics are labelled `type="datadogv2"` as in current vmagent. */
export const datadogv2Protocol: ProtocolParser = {
  type: BodyType.DataDogV2,
  name: "datadogv2",
  parse(body: Uint8Array, ctx: ParseContext): void {
    parseDatadogV2(body, ctx.w, {
      sanitizeMetricName: ctx.config.datadog.sanitizeMetricName,
      nowMs: ctx.nowMs,
      contentType: ctx.contentType,
    });
  },
};
