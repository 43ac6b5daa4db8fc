/**
 * The declarative list of every command-line flag Drover understands. Adding a flag is one entry
 * here plus reading it in `buildConfig` (config/flags.ts). Defaults are written in flag syntax and
 * go through the same parser as user input, so help text, the /flags page and the parsed default
 * can never disagree.
 */

export type FlagKind = "string" | "int" | "float" | "bool" | "size" | "duration" | "enum";

/**
 * `list`: repeatable and comma-separated, all values kept in order.
 * `perURL`: like `list`, but the N-th value belongs to the N-th -remoteWrite.url; missing values
 * take the default and more values than URLs is an error.
 */
export type FlagArrayMode = "list" | "perURL";

export interface FlagSpec {
  readonly name: string;
  readonly kind: FlagKind;
  readonly array?: FlagArrayMode;
  /** Default in flag syntax; a function when it depends on the CPU count. */
  readonly def: string | ((cpus: number) => string);
  readonly help: string;
  readonly choices?: readonly string[];
  /** Inclusive lower bound in flag syntax (e.g. "1ms", "64KiB"); smaller values are rejected. */
  readonly min?: string;
  readonly max?: string;
  /** Not read from the environment and not part of Config (-help, -version, -envflag.*). */
  readonly meta?: boolean;
}

type Extra = Omit<FlagSpec, "name" | "kind" | "def" | "help">;

function f(name: string, kind: FlagKind, def: FlagSpec["def"], help: string, extra: Extra = {}): FlagSpec {
  return { name, kind, def, help, ...extra };
}

const perURL = { array: "perURL" } as const;
const DROVER = "Drover-specific: ";

export const FLAGS: readonly FlagSpec[] = [
  f("httpListenAddr", "string", ":8429", "TCP address to listen for HTTP connections"),
  f(
    "maxInsertRequestSize",
    "size",
    "32MiB",
    "The maximum size in bytes of a single remote write request body, compressed or decompressed",
    { min: "1" },
  ),
  f(
    "maxConcurrentInserts",
    "int",
    (c) => String(2 * c),
    "The maximum number of concurrent insert requests. Default value depends on the number of available CPU cores",
    { min: "1" },
  ),
  f(
    "insert.maxQueueDuration",
    "duration",
    "1m",
    "The maximum duration to wait in the queue when -maxConcurrentInserts concurrent insert requests are executed",
  ),

  f(
    "remoteWrite.url",
    "string",
    "",
    "Remote storage URL to write data to. It must support the Prometheus remote_write API. Pass multiple -remoteWrite.url options in order to replicate the collected data to multiple remote storage systems",
    { array: "list" },
  ),
  f(
    "remoteWrite.tmpDataPath",
    "string",
    "vmagent-remotewrite-data",
    "Path to the directory for storing pending data, which isn't sent to the configured -remoteWrite.url",
  ),
  f(
    "remoteWrite.maxDiskUsagePerURL",
    "size",
    "0",
    "The maximum file-based buffer size in bytes at -remoteWrite.tmpDataPath for each -remoteWrite.url. The oldest data is dropped when the limit is reached. 0 means unlimited",
    perURL,
  ),
  f(
    "remoteWrite.maxRowsPerBlock",
    "int",
    "10000",
    "The maximum number of samples to send in each block to remote storage",
    { min: "1" },
  ),
  f(
    "remoteWrite.maxBlockSize",
    "size",
    "8MiB",
    "The maximum block size in bytes to send to remote storage. Bigger blocks are split into smaller ones",
    { min: "1" },
  ),
  f("remoteWrite.flushInterval", "duration", "1s", "Interval for flushing the data to remote storage", { min: "1ms" }),
  f(
    "remoteWrite.queues",
    "int",
    (c) => String(2 * c),
    "The number of concurrent queues to each -remoteWrite.url. It is clamped to [1, 16*CPUs]",
  ),
  f(
    "remoteWrite.sendTimeout",
    "duration",
    "1m",
    "Timeout for sending a single block of data to the corresponding -remoteWrite.url",
    perURL,
  ),
  f(
    "remoteWrite.basicAuth.username",
    "string",
    "",
    "Optional basic auth username to use for the corresponding -remoteWrite.url",
    perURL,
  ),
  f(
    "remoteWrite.basicAuth.password",
    "string",
    "",
    "Optional basic auth password to use for the corresponding -remoteWrite.url",
    perURL,
  ),
  f(
    "remoteWrite.basicAuth.passwordFile",
    "string",
    "",
    "Optional path to basic auth password to use for the corresponding -remoteWrite.url",
    perURL,
  ),
  f(
    "remoteWrite.bearerToken",
    "string",
    "",
    "Optional bearer auth token to use for the corresponding -remoteWrite.url",
    perURL,
  ),
  f(
    "remoteWrite.bearerTokenFile",
    "string",
    "",
    "Optional path to bearer token file to use for the corresponding -remoteWrite.url",
    perURL,
  ),
  f(
    "remoteWrite.headers",
    "string",
    "",
    "Optional HTTP headers to send with each request to the corresponding -remoteWrite.url. For example, -remoteWrite.headers='My-Auth:foobar^^X-Foo:bar' sends 'My-Auth: foobar' and 'X-Foo: bar'",
    perURL,
  ),
  f(
    "remoteWrite.relabelConfig",
    "string",
    "",
    "Optional path to file with relabeling configs, which are applied to all the metrics before sending them to -remoteWrite.url. See also -remoteWrite.urlRelabelConfig. The path can point either to local file or to http url",
  ),
  f(
    "remoteWrite.urlRelabelConfig",
    "string",
    "",
    "Optional path to relabel configs for the corresponding -remoteWrite.url. See also -remoteWrite.relabelConfig. The path can point either to local file or to http url",
    perURL,
  ),
  f(
    "remoteWrite.label",
    "string",
    "",
    "Optional label in the form 'name=value' to add to all the metrics before sending them to -remoteWrite.url. Pass multiple -remoteWrite.label flags in order to add multiple labels",
    { array: "list" },
  ),
  f(
    "remoteWrite.showURL",
    "bool",
    "false",
    "Whether to show -remoteWrite.url in the exported metrics and logs. It is hidden by default, since it can contain sensitive info such as auth key",
  ),
  f(
    "remoteWrite.retryMinInterval",
    "duration",
    "1s",
    "The minimum delay between retry attempts to send a block of data to remote storage",
  ),
  f(
    "remoteWrite.retryMaxInterval",
    "duration",
    "1m",
    "The maximum delay between retry attempts to send a block of data to remote storage",
  ),
  f(
    "remoteWrite.fsyncPolicy",
    "enum",
    "interval",
    DROVER +
      "when the on-disk queue is fsynced: always = before acknowledging a push; interval = every -remoteWrite.fsyncInterval; never = leave it to the OS",
    { choices: ["always", "interval", "never"] },
  ),
  f(
    "remoteWrite.fsyncInterval",
    "duration",
    "1s",
    DROVER + "how often the on-disk queue is fsynced when -remoteWrite.fsyncPolicy=interval",
    { min: "1ms" },
  ),
  f(
    "remoteWrite.memoryQueueSize",
    "size",
    "8MiB",
    DROVER + "recently queued blocks kept in memory per -remoteWrite.url so senders need not read them back from disk",
  ),
  f(
    "remoteWrite.quickstartFile",
    "string",
    "drover-samples.jsonl",
    DROVER + "where samples go as VictoriaMetrics /api/v1/import JSON lines when no -remoteWrite.url is given",
  ),

  // Push protocols (see protocols/<name>/).
  f(
    "influxListenAddr",
    "string",
    "",
    "TCP and UDP address to listen for InfluxDB line protocol data. Usually :8089 must be set. Doesn't work if empty. This flag isn't needed when ingesting data over HTTP - just send it to http://<vmagent>:8429/write",
  ),
  f(
    "influxMeasurementFieldSeparator",
    "string",
    "_",
    "Separator for '{measurement}{separator}{field_name}' metric name when inserted via InfluxDB line protocol",
  ),
  f(
    "influxSkipMeasurement",
    "bool",
    "false",
    "Uses '{field_name}' as a metric name while ignoring '{measurement}' and '-influxMeasurementFieldSeparator'",
  ),
  f(
    "influxSkipSingleField",
    "bool",
    "false",
    "Uses '{measurement}' instead of '{measurement}{separator}{field_name}' for metric name if InfluxDB line contains only a single field",
  ),
  f("influxDBLabel", "string", "db", "Default label for the DB name sent over '?db={db_name}' query parameter"),
  f(
    "influx.databaseNames",
    "string",
    "_internal",
    "Comma-separated list of database names to return from /query and /influx/query API. This can be needed for accepting data from Telegraf plugin such as https://github.com/fangli/fluent-plugin-influxdb",
    { array: "list" },
  ),
  f("influx.maxLineSize", "size", "256KiB", "The maximum size in bytes for a single InfluxDB line during parsing", {
    min: "1",
  }),
  f(
    "influx.maxRequestSize",
    "size",
    "64MiB",
    "The maximum size in bytes of a single InfluxDB request body, compressed or decompressed",
    { min: "1" },
  ),
  f(
    "influxTrimTimestamp",
    "duration",
    "1ms",
    "Trim timestamps for InfluxDB line protocol data to this duration. Minimum practical duration is 1ms. Higher duration (i.e. 1s) may be used for reducing disk space usage for timestamp data",
  ),
  f(
    "graphiteListenAddr",
    "string",
    "",
    "TCP and UDP address to listen for Graphite plaintext data. Usually :2003 must be set. Doesn't work if empty",
  ),
  f(
    "graphiteTrimTimestamp",
    "duration",
    "1s",
    "Trim timestamps for Graphite data to this duration. Minimum practical duration is 1s. Higher duration (i.e. 1m) may be used for reducing disk space usage for timestamp data",
  ),
  f(
    "graphite.sanitizeMetricName",
    "bool",
    "false",
    "Sanitize metric names for the ingested Graphite data. See https://docs.victoriametrics.com/#how-to-send-data-from-graphite-compatible-agents-such-as-statsd",
  ),
  f(
    "opentsdbListenAddr",
    "string",
    "",
    "TCP and UDP address to listen for OpenTSDB metrics. Telnet put messages and HTTP /api/put messages are simultaneously served on TCP port. Usually :4242 must be set. Doesn't work if empty",
  ),
  f(
    "opentsdbHTTPListenAddr",
    "string",
    "",
    "TCP address to listen for OpenTSDB HTTP put requests. Usually :4242 must be set. Doesn't work if empty",
  ),
  f(
    "opentsdbTrimTimestamp",
    "duration",
    "1s",
    "Trim timestamps for OpenTSDB 'telnet put' data to this duration. Minimum practical duration is 1s. Higher duration (i.e. 1m) may be used for reducing disk space usage for timestamp data",
  ),
  f(
    "opentsdbhttpTrimTimestamp",
    "duration",
    "1ms",
    "Trim timestamps for OpenTSDB HTTP data to this duration. Minimum practical duration is 1ms. Higher duration (i.e. 1s) may be used for reducing disk space usage for timestamp data",
  ),
  f("opentsdbhttp.maxInsertRequestSize", "size", "32MiB", "The maximum size of OpenTSDB HTTP put request", {
    min: "1",
  }),
  f(
    "datadog.maxInsertRequestSize",
    "size",
    "64MiB",
    "The maximum size in bytes of a single DataDog POST request to /api/v1/series",
    { min: "1" },
  ),
  f(
    "datadog.sanitizeMetricName",
    "bool",
    "true",
    "Sanitize metric names for the ingested DataDog data to comply with DataDog behaviour described at https://docs.datadoghq.com/metrics/custom_metrics/#naming-custom-metrics",
  ),
  f(
    "csvTrimTimestamp",
    "duration",
    "1ms",
    "Trim timestamps when importing csv data to this duration. Minimum practical duration is 1ms. Higher duration (i.e. 1s) may be used for reducing disk space usage for timestamp data",
  ),
  f(
    "import.maxLineLen",
    "size",
    "100MiB",
    "The maximum length in bytes of a single line accepted by /api/v1/import; the line length can be limited with 'max_rows_per_line' query arg passed to /api/v1/export",
    { min: "1" },
  ),
  f(
    "import.maxRequestSize",
    "size",
    "128MiB",
    DROVER +
      "the maximum size in bytes of a single request body to /api/v1/import, /api/v1/import/csv and /api/v1/import/prometheus, compressed or decompressed",
    { min: "1" },
  ),
  f(
    "opentelemetry.usePrometheusNaming",
    "bool",
    "false",
    "Whether to convert metric names and labels into Prometheus-compatible format for the metrics ingested via OpenTelemetry protocol",
  ),
  f(
    "opentelemetry.maxRequestSize",
    "size",
    "64MiB",
    "The maximum size in bytes of a single OpenTelemetry request, compressed or decompressed",
    { min: "1" },
  ),

  // Scraping (promscrape/). Help texts and defaults as in current vmagent.
  f(
    "promscrape.config",
    "string",
    "",
    "Optional path to Prometheus config file with 'scrape_configs' section containing targets to scrape. The path can point to local file and to http url. See https://docs.victoriametrics.com/#how-to-scrape-prometheus-exporters-such-as-node-exporter for details",
  ),
  f(
    "promscrape.config.strictParse",
    "bool",
    "true",
    "Whether to deny unsupported fields in -promscrape.config . Set to false in order to silently skip unsupported fields",
  ),
  f(
    "promscrape.config.dryRun",
    "bool",
    "false",
    "Checks -promscrape.config file for errors and unsupported fields and then exits. Returns non-zero exit code on parsing errors and emits these errors to stderr. See also -promscrape.config.strictParse command-line flag. Pass -loggerLevel=ERROR if you don't need to see info messages in the output.",
  ),
  f(
    "promscrape.configCheckInterval",
    "duration",
    "0",
    "Interval for checking for changes in -promscrape.config file. By default, the checking is disabled. See how to reload -promscrape.config file at https://docs.victoriametrics.com/vmagent/#configuration-update",
  ),
  f(
    "promscrape.maxScrapeSize",
    "size",
    "16MiB",
    "The maximum size of scrape response in bytes to process from Prometheus targets. Bigger responses are rejected. See also max_scrape_size option at https://docs.victoriametrics.com/sd_configs/#scrape_configs",
    { min: "1" },
  ),
  f(
    "promscrape.seriesLimitPerTarget",
    "int",
    "0",
    "Optional limit on the number of unique time series a single scrape target can expose. See https://docs.victoriametrics.com/vmagent/#cardinality-limiter for more info",
    { min: "0" },
  ),
  f(
    "promscrape.minResponseSizeForStreamParse",
    "size",
    "1MB",
    "The minimum target response size for automatic switching to stream parsing mode, which can reduce memory usage. See https://docs.victoriametrics.com/vmagent/#stream-parsing-mode",
  ),
  f(
    "promscrape.streamParse",
    "bool",
    "false",
    "Whether to enable stream parsing for metrics obtained from scrape targets. This may be useful for reducing memory usage when millions of metrics are exposed per each scrape target. It is possible to set 'stream_parse: true' individually per each 'scrape_config' section in '-promscrape.config' for fine-grained control",
  ),
  f(
    "promscrape.disableCompression",
    "bool",
    "false",
    "Whether to disable sending 'Accept-Encoding: gzip' request headers to all the scrape targets. This may reduce CPU usage on scrape targets at the cost of higher network bandwidth utilization. It is possible to set 'disable_compression: true' individually per each 'scrape_config' section in '-promscrape.config' for fine-grained control",
  ),
  f(
    "promscrape.disableKeepAlive",
    "bool",
    "false",
    "Whether to disable HTTP keep-alive connections when scraping all the targets. This may be useful when targets has no support for HTTP keep-alive connection. It is possible to set 'disable_keepalive: true' individually per each 'scrape_config' section in '-promscrape.config' for fine-grained control. Note that disabling HTTP keep-alive may increase load on both vmagent and scrape targets",
  ),
  f(
    "promscrape.noStaleMarkers",
    "bool",
    "false",
    "Whether to disable sending Prometheus stale markers for metrics when scrape target disappears. This option may reduce memory usage if stale markers aren't needed for your setup. This option also disables populating the scrape_series_added metric. See https://prometheus.io/docs/concepts/jobs_instances/#automatically-generated-labels-and-time-series",
  ),
  f(
    "promscrape.suppressDuplicateScrapeTargetErrors",
    "bool",
    "false",
    "Whether to suppress 'duplicate scrape target' errors; see https://docs.victoriametrics.com/vmagent/#troubleshooting for details",
  ),
  f(
    "promscrape.maxDroppedTargets",
    "int",
    "1000",
    "The maximum number of droppedTargets to show at /api/v1/targets page. Increase this value if your setup drops more scrape targets during relabeling and you need investigating labels for all the dropped targets. Note that the increased number of dropped targets may result in increased memory usage",
    { min: "0" },
  ),
  f(
    "promscrape.dropOriginalLabels",
    "bool",
    "false",
    "Whether to drop original labels for scrape targets at /targets and /api/v1/targets pages. This may be needed for reducing memory usage when original labels for big number of scrape targets occupy big amounts of memory. Note that this reduces debuggability for improper per-target relabeling configs",
  ),
  f(
    "promscrape.suppressScrapeErrors",
    "bool",
    "false",
    "Whether to suppress scrape errors logging. The last error for each target is always available at '/targets' page even if scrape errors logging is suppressed",
  ),
  f(
    "promscrape.discovery.concurrency",
    "int",
    "100",
    "The maximum number of concurrent requests to Prometheus autodiscovery API (Consul, Kubernetes, etc.)",
    { min: "1" },
  ),
  f(
    "promscrape.fileSDCheckInterval",
    "duration",
    "1m",
    "Interval for checking for changes in 'file_sd_config'. See https://docs.victoriametrics.com/sd_configs/#file_sd_configs for details",
    { min: "1ms" },
  ),
  f(
    "promscrape.httpSDCheckInterval",
    "duration",
    "1m",
    "Interval for checking for changes in http endpoint service discovery. This works only if http_sd_configs is configured in '-promscrape.config' file. See https://docs.victoriametrics.com/sd_configs/#http_sd_configs for details",
    { min: "1ms" },
  ),
  f(
    "promscrape.dnsSDCheckInterval",
    "duration",
    "30s",
    "Interval for checking for changes in dns. This works only if dns_sd_configs is configured in '-promscrape.config' file. See https://docs.victoriametrics.com/sd_configs/#dns_sd_configs for details",
    { min: "1ms" },
  ),
  f(
    "promscrape.kubernetesSDCheckInterval",
    "duration",
    "30s",
    "Interval for checking for changes in Kubernetes API server. This works only if kubernetes_sd_configs is configured in '-promscrape.config' file. See https://docs.victoriametrics.com/sd_configs/#kubernetes_sd_configs for details",
    { min: "1ms" },
  ),
  f(
    "promscrape.consulSDCheckInterval",
    "duration",
    "30s",
    "Interval for checking for changes in Consul. This works only if consul_sd_configs is configured in '-promscrape.config' file. See https://docs.victoriametrics.com/sd_configs/#consul_sd_configs for details",
    { min: "1ms" },
  ),
  f(
    "promscrape.cluster.membersCount",
    "int",
    "0",
    "The number of members in a cluster of scrapers. Each member must have a unique -promscrape.cluster.memberNum in the range 0 ... promscrape.cluster.membersCount-1 . Each member then scrapes roughly 1/N of all the targets. By default, cluster scraping is disabled, i.e. a single scraper scrapes all the targets. See https://docs.victoriametrics.com/vmagent/#scraping-big-number-of-targets for more info",
    { min: "0" },
  ),
  f(
    "promscrape.cluster.memberNum",
    "string",
    "0",
    "The number of vmagent instance in the cluster of scrapers. It must be a unique value in the range 0 ... promscrape.cluster.membersCount-1 across scrapers in the cluster. Can be specified as pod name of Kubernetes StatefulSet - pod-name-Num, where Num is a numeric part of pod name. See also -promscrape.cluster.memberLabel . See https://docs.victoriametrics.com/vmagent/#scraping-big-number-of-targets for more info",
  ),
  f(
    "promscrape.cluster.replicationFactor",
    "int",
    "1",
    "The number of members in the cluster, which scrape the same targets. If the replication factor is greater than 1, then the deduplication must be enabled at remote storage side. See https://docs.victoriametrics.com/vmagent/#scraping-big-number-of-targets for more info",
  ),
  f(
    "promscrape.cluster.name",
    "string",
    "",
    "Optional name of the cluster. If multiple vmagent clusters scrape the same targets, then each cluster must have unique name in order to properly de-duplicate samples received from these clusters. See https://docs.victoriametrics.com/vmagent/#scraping-big-number-of-targets for more info",
  ),
  f(
    "promscrape.cluster.keyRule",
    "enum",
    "current",
    DROVER +
      "which vmagent's target keys to follow for cluster sharding and scrape phases: 'current' (vmagent >= v1.83: labels in post-relabel order, external labels not part of target labels) or 'v1.79.5' (labels sorted, global external_labels included; needed to share a cluster with, or match the phases of, vmagent <= v1.82 such as Debian's v1.79.5)",
    { choices: ["current", "v1.79.5"] },
  ),
  f(
    "promscrape.cluster.memberLabel",
    "string",
    "",
    "If non-empty, then the label with this name and the -promscrape.cluster.memberNum value is added to all the scraped metrics. See https://docs.victoriametrics.com/vmagent/#scraping-big-number-of-targets for more info",
  ),
  f(
    "promscrape.cluster.plan",
    "bool",
    "false",
    DROVER +
      "print which -promscrape.cluster member(s) would scrape each target of -promscrape.config (static and file_sd targets; other service discovery until its first result), the targets per member, the load imbalance and how many targets would move with one member fewer or more, then exit",
  ),

  f("loggerLevel", "enum", "INFO", "Minimum level of errors to log", {
    choices: ["INFO", "WARN", "ERROR", "FATAL", "PANIC"],
  }),
  f("loggerFormat", "enum", "default", "Format for logs", { choices: ["default", "json"] }),
  f("loggerOutput", "enum", "stderr", "Output for the logs", { choices: ["stderr", "stdout"] }),
  f(
    "loggerErrorsPerSecondLimit",
    "int",
    "0",
    "Per-second limit on the number of ERROR messages. If more than the given number of errors are emitted per second, the remaining errors are suppressed. Zero values disable the rate limit",
    { min: "0" },
  ),
  f(
    "loggerWarnsPerSecondLimit",
    "int",
    "0",
    "Per-second limit on the number of WARN messages. If more than the given number of warns are emitted per second, then the remaining warns are suppressed. Zero values disable the rate limit",
    { min: "0" },
  ),
  f("loggerDisableTimestamps", "bool", "false", "Whether to disable writing timestamps in logs"),

  f(
    "http.maxGracefulShutdownDuration",
    "duration",
    "7s",
    "The maximum duration for a graceful shutdown of the HTTP server",
  ),
  f(
    "http.shutdownDelay",
    "duration",
    "0",
    "Optional delay before http server shutdown. During this delay, the server returns non-OK responses from /health page, so load balancers can route new requests to other servers",
  ),
  f(
    "memory.allowedPercent",
    "float",
    "60",
    "Allowed percent of system memory in-memory queues and buffers may occupy. See also -memory.allowedBytes",
    { min: "1", max: "200" },
  ),
  f(
    "memory.allowedBytes",
    "size",
    "0",
    "Allowed size of system memory in-memory queues and buffers may occupy. This option overrides -memory.allowedPercent if set to a non-zero value",
  ),
  f(
    "dryRun",
    "bool",
    "false",
    "Whether to check config files without running vmagent. The following files are checked: -promscrape.config. Unknown config entries aren't allowed in -promscrape.config by default. This can be changed by passing -promscrape.config.strictParse=false command-line flag",
  ),
  f(
    "parseWorkers",
    "int",
    (c) => String(Math.max(1, c - 1)),
    DROVER +
      "number of parse worker threads (they also scrape); by default one less than the CPUs, since the sender thread and the main thread need the rest, and one fewer thread is one fewer heap",
    { min: "1" },
  ),
  f(
    "ringBufferSize",
    "size",
    "4MiB",
    DROVER +
      "size of the SharedArrayBuffer ring of each parse worker; bodies over an eighth of it are handed over without the ring, so it only needs room for the small ones",
    { min: "64KiB" },
  ),
  f(
    "labelCacheSize",
    "size",
    "16MiB",
    DROVER +
      "most memory each parse worker's label cache may take (encoded labels by the request bytes that name a series); it starts small and grows with the load",
    { min: "1MiB" },
  ),

  f(
    "envflag.enable",
    "bool",
    "false",
    "Whether to enable reading flags from environment variables in addition to the command line. Command line flag values have priority over values from environment vars. Flags are read only from the command line if this flag isn't set",
    { meta: true },
  ),
  f("envflag.prefix", "string", "", "Prefix for environment variables if -envflag.enable is set", { meta: true }),
  f("version", "bool", "false", "Show drover version", { meta: true }),
  f("help", "bool", "false", "Show this help (also -h)", { meta: true }),
];

/** Flags whose values are shown as "secret" on the /flags page and in flagsSet. */
export function isSecretFlag(name: string): boolean {
  const n = name.toLowerCase();
  return n.includes("password") || n.includes("bearertoken") || n.includes("authkey");
}
