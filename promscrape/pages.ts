/**
 * Scrape status pages, as vmagent serves them: `/targets` (text, or HTML
 * with `?format=html`/an HTML Accept header), `/service-discovery`,
 * `/api/v1/targets` (Prometheus JSON) and `/config`.
 *
 * @module
 */

import type { Scraper, TargetStatus } from "./scraper.ts";
import type { DroppedTarget } from "./targets.ts";

type Pairs = readonly (readonly [string, string])[];

function promLabels(l: Pairs): string {
  return `{${l.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}}`;
}

function ago(ms: number, now: number): string {
  return ms === 0 ? "never" : `${((now - ms) / 1000).toFixed(3)}s ago`;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

function byJob(targets: TargetStatus[]): Map<string, TargetStatus[]> {
  const m = new Map<string, TargetStatus[]>();
  for (const t of targets.sort((a, b) => (a.work.scrapeURL < b.work.scrapeURL ? -1 : 1))) {
    const list = m.get(t.work.jobName) ?? [];
    list.push(t);
    m.set(t.work.jobName, list);
  }
  return new Map([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** `/targets` as text (vmagent's default) or HTML. */
export async function targetsPage(s: Scraper, req: Request): Promise<Response> {
  const url = new URL(req.url);
  const now = Date.now();
  const jobs = byJob(await s.activeTargets());
  const onlyUnhealthy = url.searchParams.get("show_only_unhealthy") === "true";
  const html = url.searchParams.get("format") === "html" || (req.headers.get("accept") ?? "").includes("text/html");
  if (html) {
    let out = "<!DOCTYPE html><html><head><title>Drover: scrape targets</title></head><body><h1>Scrape targets</h1>";
    for (const [job, ts] of jobs) {
      const up = ts.filter((t) => t.health === "up").length;
      out += `<h2>${
        escapeHtml(job)
      } (${up}/${ts.length} up)</h2><table border="1"><tr><th>Endpoint</th><th>State</th><th>Labels</th><th>Last scrape</th><th>Duration</th><th>Samples</th><th>Errors</th></tr>`;
      for (const t of ts) {
        if (onlyUnhealthy && t.health === "up") continue;
        out += `<tr><td><a href="${escapeHtml(t.work.scrapeURL)}">${
          escapeHtml(t.work.scrapeURL)
        }</a></td><td>${t.health}</td><td>${escapeHtml(promLabels(t.work.labels))}</td><td>${
          ago(t.lastScrapeMs, now)
        }</td><td>${(t.lastDurationMs / 1000).toFixed(3)}s</td><td>${t.lastSamples}</td><td>${
          escapeHtml(t.lastError)
        }</td></tr>`;
      }
      out += "</table>";
    }
    return new Response(out + "</body></html>", { headers: { "Content-Type": "text/html; charset=utf-8" } });
  }
  let out = "";
  for (const [job, ts] of jobs) {
    const up = ts.filter((t) => t.health === "up").length;
    out += `job=${JSON.stringify(job)} (${up}/${ts.length} up)\n`;
    for (const t of ts) {
      if (onlyUnhealthy && t.health === "up") continue;
      out += `\tstate=${t.health}, endpoint=${t.work.scrapeURL}, labels=${
        promLabels(t.work.labels)
      }, scrapes_total=${t.scrapes}, scrapes_failed=${t.failures}, last_scrape=${
        ago(t.lastScrapeMs, now)
      }, scrape_duration=${
        (t.lastDurationMs / 1000).toFixed(3)
      }s, samples_scraped=${t.lastSamples}, error=${t.lastError}\n`;
    }
  }
  return new Response(out, { headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

function droppedReason(d: DroppedTarget): string {
  if (d.reason === "sharding") return `sharding: scraped by cluster member(s) ${d.owners?.join(",") ?? "?"}`;
  return d.detail !== undefined ? `${d.reason}: ${d.detail}` : d.reason;
}

/** `/service-discovery`: discovered labels, labels after relabeling, and why a target was dropped. */
export async function serviceDiscoveryPage(s: Scraper): Promise<Response> {
  let out = "";
  const active = byJob(await s.activeTargets());
  const dropped = new Map<string, DroppedTarget[]>();
  for (const d of s.droppedTargets()) dropped.set(d.jobName, [...(dropped.get(d.jobName) ?? []), d]);
  const jobs = new Set([...active.keys(), ...dropped.keys()]);
  for (const job of [...jobs].sort()) {
    out += `job=${JSON.stringify(job)}\n`;
    for (const t of active.get(job) ?? []) {
      out += `\tactive: discovered_labels=${promLabels(t.discoveredLabels)} labels=${
        promLabels(t.work.labels)
      } endpoint=${t.work.scrapeURL}\n`;
    }
    for (const d of dropped.get(job) ?? []) {
      out += `\tdropped: discovered_labels=${promLabels(d.originalLabels)} reason=${droppedReason(d)}\n`;
    }
  }
  return new Response(out, { headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

/** `/api/v1/targets`, Prometheus-compatible (`?state=active|dropped|any`). */
export async function apiTargetsPage(s: Scraper, req: Request): Promise<Response> {
  const state = new URL(req.url).searchParams.get("state") ?? "any";
  const activeTargets = state === "dropped" ? [] : (await s.activeTargets()).map((t) => ({
    discoveredLabels: Object.fromEntries(t.discoveredLabels),
    labels: Object.fromEntries(t.work.labels),
    scrapePool: t.work.jobName,
    scrapeUrl: t.work.scrapeURL,
    globalUrl: t.work.scrapeURL,
    lastError: t.lastError,
    lastScrape: t.lastScrapeMs === 0 ? "0001-01-01T00:00:00Z" : new Date(t.lastScrapeMs).toISOString(),
    lastScrapeDuration: t.lastDurationMs / 1000,
    lastSamplesScraped: t.lastSamples,
    health: t.health,
    scrapeInterval: `${t.work.intervalMs / 1000}s`,
    scrapeTimeout: `${t.work.timeoutMs / 1000}s`,
  }));
  const droppedTargets = state === "active" ? [] : s.droppedTargets().map((d) => ({
    discoveredLabels: Object.fromEntries(d.originalLabels),
    reason: droppedReason(d),
  }));
  return Response.json({ status: "success", data: { activeTargets, droppedTargets } });
}

/** `/config`: the effective scrape config, secrets masked. */
export function configPage(s: Scraper): Response {
  return new Response(s.config?.sourceText ?? "", { headers: { "Content-Type": "text/plain; charset=utf-8" } });
}
