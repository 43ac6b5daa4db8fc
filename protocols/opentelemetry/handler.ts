/**
 * HTTP routes of OpenTelemetry metrics ingestion (OTLP/HTTP, protobuf; gzip
 * and the other Content-Encodings are undone by the framework). As current
 * vmagent: both paths, 200 with an empty body on success. JSON bodies are
 * rejected by the parser (vmagent: "json encoding isn't supported").
 *
 * @module
 */

import { BodyType } from "../_shared/protocol.ts";
import type { Route } from "../_shared/route.ts";

export const routes: readonly Route[] = [
  {
    kind: "push",
    paths: ["/opentelemetry/v1/metrics", "/opentelemetry/api/v1/push"],
    type: BodyType.OpenTelemetry,
    protocol: "opentelemetry",
    successStatus: 200,
    maxBodySize: (cfg) => cfg.push.opentelemetry.maxRequestSize,
    sizeFlag: "-opentelemetry.maxRequestSize",
  },
];
