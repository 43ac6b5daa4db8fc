/**
 * Parse-worker side of DataDog v1 `POST /datadog/api/v1/series`.
 *
 * @module
 */

import { BodyType, type ParseContext, type ProtocolParser } from "../_shared/protocol.ts";
import { parseDatadogV1 } from "./parse.ts";

/** DataDog v1 series; metrics are labelled `type="datadog"` as in vmagent v1.79.5. */
export const datadogProtocol: ProtocolParser = {
  type: BodyType.DataDogV1,
  name: "datadog",
  parse(body: Uint8Array, ctx: ParseContext): void {
    parseDatadogV1(body, ctx.w, { sanitizeMetricName: ctx.config.datadog.sanitizeMetricName, nowMs: ctx.nowMs });
  },
};
