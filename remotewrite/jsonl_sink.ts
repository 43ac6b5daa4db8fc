/**
 * The quick-start destination: with no `-remoteWrite.url`, blocks are
 * appended to a local file as VictoriaMetrics `/api/v1/import` JSON lines,
 * so the file can later be loaded with one request:
 * `curl -T drover-samples.jsonl http://victoriametrics:8428/api/v1/import`.
 *
 * @module
 */

import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { writeRequestToJsonLines } from "../protocols/vmimport/encode.ts";
import type { Metric, Registry } from "../selfmetrics/registry.ts";

/** Appends decoded blocks to a JSON-lines file. */
export class JsonlSink {
  readonly path: string;
  #fd: number;
  #rows: Metric;
  #bytes: Metric;
  #errors: Metric;

  constructor(path: string, registry: Registry) {
    this.path = resolve(path);
    mkdirSync(dirname(this.path), { recursive: true });
    this.#fd = openSync(this.path, "a");
    const labels = { path: this.path };
    this.#rows = registry.metric("drover_quickstart_rows_written_total", labels);
    this.#bytes = registry.metric("drover_quickstart_bytes_written_total", labels);
    this.#errors = registry.metric("drover_quickstart_write_errors_total", labels);
  }

  /** Appends one uncompressed WriteRequest; false when the write failed (counted). */
  write(block: Uint8Array, rows: number): boolean {
    const text = Buffer.from(writeRequestToJsonLines(block));
    try {
      let off = 0;
      while (off < text.byteLength) off += writeSync(this.#fd, text, off);
    } catch {
      this.#errors.inc();
      return false;
    }
    this.#rows.inc(rows);
    this.#bytes.inc(text.byteLength);
    return true;
  }

  sync(): void {
    try {
      fsyncSync(this.#fd);
    } catch {
      this.#errors.inc();
    }
  }

  close(): void {
    this.sync();
    closeSync(this.#fd);
  }
}
