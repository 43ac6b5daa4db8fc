/**
 * Which scrape status page answers which path.
 *
 * @module
 */

import { apiTargetsPage, configPage, serviceDiscoveryPage, targetsPage } from "./pages.ts";
import type { Scraper } from "./scraper.ts";

/** The page for `path`, or null when it is not a scrape page. */
export function scrapePage(s: Scraper, path: string, req: Request): Promise<Response> | Response | null {
  switch (path) {
    case "/targets":
      return targetsPage(s, req);
    case "/service-discovery":
      return serviceDiscoveryPage(s);
    case "/api/v1/targets":
      return apiTargetsPage(s, req);
    case "/config":
    case "/api/v1/status/config":
      return configPage(s);
    default:
      return null;
  }
}
