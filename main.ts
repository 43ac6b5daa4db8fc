/**
 * Drover: a vmagent-compatible metrics agent.
 *
 * Wiring only: flags → logger → threads (sender, parse workers) → HTTP
 * listener → wait for a signal → stop in reverse order. Start-up order puts
 * the sender first so nothing is accepted before it can be queued; shutdown
 * closes the listener first so nothing is accepted that cannot be flushed.
 *
 * @module
 */

import { availableParallelism } from "node:os";
import { flagsPage, parseFlags } from "./config/flags.ts";
import { VERSION } from "./config/version.ts";
import { Logger } from "./log/logger.ts";
import { registerProcessMetrics, registerThreadMemory } from "./selfmetrics/process.ts";
import { startGcPacer } from "./workers/gc_pacer.ts";
import { startThreadProfile } from "./selfmetrics/profile.ts";
import { Registry, renderMetrics } from "./selfmetrics/registry.ts";
import type { Route } from "./protocols/_shared/route.ts";
import { scrapePage } from "./promscrape/routes.ts";
import { checkScrapeConfig } from "./promscrape/config.ts";
import { Scraper } from "./promscrape/scraper.ts";
import { runClusterPlan } from "./promscrape/cluster_plan.ts";
import { httpHandler, startHttpServer } from "./server/http_server.ts";
import { parseListenAddr } from "./server/listen_addr.ts";
import { EXTRA_HTTP_LISTENERS, LISTENERS } from "./server/listeners.ts";
import { startStreamListener, type Stoppable } from "./server/stream_listeners.ts";
import { WorkerPool } from "./workers/pool.ts";

async function main(): Promise<number> {
  const parsed = parseFlags(process.argv.slice(2), { env: process.env, cpus: availableParallelism() });
  switch (parsed.kind) {
    case "help":
      process.stdout.write(parsed.text);
      return 0;
    case "version":
      process.stdout.write(`${parsed.text}\n`);
      return 0;
    case "error":
      process.stderr.write(`${parsed.message}\n`);
      return 2;
    case "config":
      break;
  }
  const cfg = parsed.config;
  const log = new Logger("main", cfg.logger);
  if (cfg.dryRun || cfg.promscrape.dryRun) {
    const r = await checkScrapeConfig(cfg.promscrape, { env: process.env, log });
    if (!r.ok) {
      log.fatal(r.message);
      return 1;
    }
    log.info(`-dryRun: flags are valid; ${r.message}`);
    return 0;
  }
  if (cfg.promscrape.cluster.plan) return await runClusterPlan(cfg, (t) => process.stdout.write(t), log);
  log.info(`starting Drover v${VERSION} (vmagent-compatible), pid ${process.pid}`);

  const registry = new Registry();
  registerProcessMetrics(registry, VERSION);
  registerThreadMemory(registry, "main");
  startGcPacer(registry, "main");
  startThreadProfile("main");
  let fatal: ((msg: string) => void) | undefined;
  const fatalError = new Promise<string>((resolve) => (fatal = resolve));
  const pool = new WorkerPool(cfg, log.child("pool"), (msg) => fatal?.(msg));
  try {
    await pool.start();
  } catch (err: unknown) {
    log.fatal(`cannot start: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  registry.gauge("drover_ring_used_bytes", undefined, () => pool.ringUsedBytes());
  if (cfg.remoteWrite.urls.length === 0) {
    log.warn(
      `no -remoteWrite.url given: writing received samples as VictoriaMetrics JSON lines to ${
        pool.destinations.join(", ")
      }; ` +
        "import them later with: curl -T <file> http://<victoriametrics>:8428/api/v1/import",
    );
  } else {
    log.info(`sending data to ${pool.destinations.join("; ")}`);
  }

  let stopping = false;
  const scraper = cfg.promscrape.config === "" ? null : new Scraper(cfg, pool, registry, log.child("promscrape"));
  const server = startHttpServer(cfg, pool, registry, log, {
    metricsText: async () => renderMetrics([registry.snapshot(), ...(await pool.metrics())]),
    flagsText: () => flagsPage(cfg),
    reload: () => void reload(),
    shuttingDown: () => stopping,
    notReady:
      () => (scraper === null || scraper.ready ? null : `waiting for scrapes to init, left: ${scraper.pendingJobs}\n`),
    page: (path, req) => (scraper === null ? null : scrapePage(scraper, path, req)),
  });
  log.info(`listening for HTTP at http://${server.hostname}:${server.port}/`);
  if (scraper !== null) {
    try {
      await scraper.start();
      const jobs = (scraper.config?.jobs ?? []).map((j) => `${j.jobName} every ${j.scrapeIntervalMs / 1000}s`);
      log.info(
        `started scraping per -promscrape.config=${JSON.stringify(cfg.promscrape.config)}: ${
          jobs.length === 0 ? "no jobs" : jobs.join(", ")
        }`,
      );
      if (cfg.remoteWrite.urls.length === 0) {
        log.info(
          `scraped samples go to ${
            pool.destinations.join(", ")
          } too; the jobs' targets: http://${server.hostname}:${server.port}/targets`,
        );
      }
      if (cfg.promscrape.configCheckIntervalMs > 0) {
        // -promscrape.configCheckInterval: reload when the config changed (unchanged targets keep running).
        setInterval(() => void scraper.reload(), cfg.promscrape.configCheckIntervalMs).unref();
      }
    } catch (err: unknown) {
      log.fatal(`cannot load -promscrape.config: ${(err as Error).message}`);
      await server.stop(true);
      await pool.stop();
      return 1;
    }
  }

  // Line-protocol listeners and extra HTTP listeners (-graphiteListenAddr, -opentsdbHTTPListenAddr, …).
  const hooks = {
    metricsText: async () => "",
    flagsText: () => "",
    reload: () => undefined,
    shuttingDown: () => stopping,
  };
  const startRoutesOnly = (addr: string, flag: string, routes: readonly Route[]) =>
    startHttpServer(cfg, pool, registry, log, hooks, { listenAddr: addr, flag, routes, builtins: false });
  const listeners: Stoppable[] = [];
  try {
    for (const x of EXTRA_HTTP_LISTENERS) {
      const addr = x.addr(cfg);
      if (addr === "") continue;
      const s = startRoutesOnly(addr, `-${x.flag}`, x.routes);
      log.info(`listening for HTTP (-${x.flag}) at http://${s.hostname}:${s.port}/`);
      listeners.push({ stop: () => s.stop(true) });
    }
    for (const spec of LISTENERS) {
      listeners.push(
        ...startStreamListener(cfg, spec, pool, registry, log, (routes) => {
          const { hostname, port } = parseListenAddr(spec.addr(cfg), `-${spec.flag}`);
          return httpHandler(cfg, pool, registry, log, hooks, {
            listenAddr: spec.addr(cfg),
            flag: `-${spec.flag}`,
            routes,
            builtins: false,
            hostname,
            port,
          });
        }),
      );
    }
  } catch (err: unknown) {
    log.fatal(`cannot start listeners: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }

  const reloads = registry.metric("drover_config_reloads_total");
  async function reload(): Promise<void> {
    // Nothing is cached yet that a reload must refresh: bearer-token and
    // password files are re-read on every request. Relabel and scrape
    // configs will hook in here.
    log.info("reloading configuration");
    await scraper?.reload();
    await pool.reload();
    reloads.inc();
  }
  process.on("SIGHUP", () => void reload());

  const signal = await Promise.race([
    new Promise<string>((resolve) => {
      process.once("SIGTERM", () => resolve("SIGTERM"));
      process.once("SIGINT", () => resolve("SIGINT"));
    }),
    fatalError.then((m) => `fatal: ${m}`),
  ]);
  stopping = true;
  log.info(`received ${signal}; shutting down gracefully`);
  if (cfg.http.shutdownDelayMs > 0) await Bun.sleep(cfg.http.shutdownDelayMs);
  for (const l of listeners) await l.stop();
  scraper?.stop();
  // In-flight pushes finish (they wait for their disk write) unless that takes
  // longer than -http.maxGracefulShutdownDuration; then connections are cut.
  const graceful = server.stop();
  const cut = setTimeout(() => void server.stop(true), cfg.http.maxGracefulShutdownDurationMs);
  await graceful;
  clearTimeout(cut);
  await pool.stop();
  log.info("stopped");
  return signal.startsWith("fatal") ? 1 : 0;
}

process.exit(await main());
