/**
 * Every HTTP route of every push protocol, by path. Adding a protocol means
 * adding its `handler.ts` routes here.
 *
 * @module
 */

import type { Route } from "../protocols/_shared/route.ts";
import { routes as influx } from "../protocols/influx/handler.ts";
import { routes as promRemoteWrite } from "../protocols/promremotewrite/handler.ts";
import { routes as datadog } from "../protocols/datadog/handler.ts";
import { routes as datadogv2 } from "../protocols/datadogv2/handler.ts";
import { routes as opentelemetry } from "../protocols/opentelemetry/handler.ts";
import { routes as csvimport } from "../protocols/csvimport/handler.ts";
import { routes as vmimport } from "../protocols/vmimport/handler.ts";
import { routes as prometheusImport } from "../protocols/prometheus/handler.ts";

const ALL: readonly (readonly Route[])[] = [
  datadog,
  datadogv2,
  opentelemetry,
  promRemoteWrite,
  influx,
  csvimport,
  vmimport,
  prometheusImport,
];

/** Builds the path → route map (of `only`, or of every protocol); a path served twice is a bug. */
export function routeTable(only?: readonly Route[]): Map<string, Route> {
  const m = new Map<string, Route>();
  for (const group of only !== undefined ? [only] : ALL) {
    for (const r of group) {
      for (const p of r.paths) {
        if (m.has(p)) throw new Error(`BUG: path ${p} is routed twice`);
        m.set(p, r);
      }
    }
  }
  return m;
}
