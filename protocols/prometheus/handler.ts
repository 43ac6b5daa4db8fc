/**
 * HTTP route of Prometheus text import. vmagent v1.79.5 serves only the bare
 * path; the Pushgateway-style `/api/v1/import/prometheus/metrics/job/…`
 * paths (v1.84.0) need prefix routing, which the route table lacks.
 *
 * @module
 */

import { BodyType } from "../_shared/protocol.ts";
import type { Route } from "../_shared/route.ts";

export const routes: readonly Route[] = [
  {
    kind: "push",
    paths: ["/api/v1/import/prometheus"],
    type: BodyType.PromText,
    protocol: "prometheusimport",
    successStatus: 204,
    maxBodySize: (cfg) => cfg.push.importMaxRequestSize,
    sizeFlag: "-import.maxRequestSize",
  },
];
