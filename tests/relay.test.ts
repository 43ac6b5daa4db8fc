/**
 * Relay end to end: Prometheus remote write into Drover, out to real
 * victoria-metrics instances, checked through their /api/v1/export.
 */
import { describe, expect, test } from "bun:test";
import {
  differential,
  Drover,
  freePort,
  have,
  makeWriteRequest,
  tempDir,
  VictoriaMetrics,
  waitFor,
} from "./_harness.ts";

const HAVE_VM = have("victoria-metrics");

describe.skipIf(!HAVE_VM)("relay to victoria-metrics", () => {
  test("N samples in means N out, with labels, values and timestamps intact", async () => {
    using dir = tempDir();
    await using vm = await VictoriaMetrics.start();
    await using d = await Drover.start([`-remoteWrite.url=${vm.writeURL}`, `-remoteWrite.tmpDataPath=${dir.path}`]);
    let sent = 0;
    for (let i = 0; i < 20; i++) {
      const res = await d.write(
        makeWriteRequest({
          prefix: "relay",
          series: 500,
          samplesPerSeries: 2,
          startMs: 1_700_000_000_000 + i * 10_000,
        }),
      );
      expect(res.status).toBe(204);
      sent += 1000;
    }
    await waitFor("all samples in VM", async () => (await vm.sampleCount()) === sent);
    const series = await vm.export('{__name__="relay_metric",series="7"}');
    expect(series).toHaveLength(1);
    expect(series[0]!.metric).toEqual({
      __name__: "relay_metric",
      series: "7",
      label0: "value-0-0",
      label1: "value-1-0",
      label2: "value-2-0",
    });
    expect(series[0]!.values.slice(0, 2)).toEqual([7, 7.1]);
    expect(series[0]!.timestamps.slice(0, 2)).toEqual([1_700_000_000_000, 1_700_000_001_000]);
    expect(await d.metric('vmagent_rows_inserted_total{type="promremotewrite"}')).toBe(sent);
    expect(await d.p.stop()).toBe(0);
  });

  test("two URLs each get a full copy; extra_label and -remoteWrite.label are applied", async () => {
    using dir = tempDir();
    await using a = await VictoriaMetrics.start();
    await using b = await VictoriaMetrics.start();
    await using d = await Drover.start([
      `-remoteWrite.url=${a.writeURL},${b.writeURL}`,
      `-remoteWrite.tmpDataPath=${dir.path}`,
      "-remoteWrite.label=dc=eu1",
    ]);
    const res = await d.write(
      makeWriteRequest({ prefix: "fanout", series: 300 }),
      "?extra_label=env=prod&extra_label=label0=over",
    );
    expect(res.status).toBe(204);
    for (const vm of [a, b]) {
      await waitFor("fan-out delivery", async () => (await vm.sampleCount()) === 300);
      const s = await vm.export('{__name__="fanout_metric",series="1"}');
      expect(s[0]!.metric).toEqual({
        __name__: "fanout_metric",
        series: "1",
        label0: "over",
        label1: "value-1-1",
        label2: "value-2-1",
        env: "prod",
        dc: "eu1",
      });
    }
  });

  test("a remote down for a while, then back: nothing lost", async () => {
    using dir = tempDir();
    const port = await freePort();
    await using d = await Drover.start([
      `-remoteWrite.url=http://127.0.0.1:${port}/api/v1/write`,
      `-remoteWrite.tmpDataPath=${dir.path}`,
      "-remoteWrite.retryMaxInterval=1s",
    ]);
    for (let i = 0; i < 10; i++) {
      expect(
        (await d.write(makeWriteRequest({ prefix: "down", series: 100, startMs: 1_700_000_000_000 + i * 1000 })))
          .status,
      ).toBe(204);
    }
    await waitFor(
      "retries",
      async () => (await d.metric('vmagent_remotewrite_retries_count_total{url="1:secret-url"}')) > 0,
    );
    await using vm = await VictoriaMetrics.start([], port);
    await waitFor("delivery after the remote came back", async () => (await vm.sampleCount()) === 1000, 30_000);
  });

  test("Drover restarted while the remote is down: nothing lost", async () => {
    using dir = tempDir();
    const port = await freePort();
    const args = [
      `-remoteWrite.url=http://127.0.0.1:${port}/api/v1/write`,
      `-remoteWrite.tmpDataPath=${dir.path}`,
      "-remoteWrite.retryMaxInterval=1s",
    ];
    {
      await using d = await Drover.start(args);
      for (let i = 0; i < 5; i++) {
        expect(
          (await d.write(makeWriteRequest({ prefix: "restart", series: 200, startMs: 1_700_000_000_000 + i * 1000 })))
            .status,
        ).toBe(204);
      }
      expect(await d.p.stop()).toBe(0);
    }
    await using vm = await VictoriaMetrics.start([], port);
    await using d2 = await Drover.start(args);
    await waitFor("delivery after restart", async () => (await vm.sampleCount()) === 1000, 30_000);
    await waitFor("queue drained", async () => (await d2.metricSum("vm_persistentqueue_bytes_pending")) === 0);
  });

  test("400 from the remote: the block is dropped and counted, later blocks still flow", async () => {
    using dir = tempDir();
    // The real VM answers 400 to a request over its -maxInsertRequestSize.
    await using vm = await VictoriaMetrics.start(["-maxInsertRequestSize=2000"]);
    await using d = await Drover.start([`-remoteWrite.url=${vm.writeURL}`, `-remoteWrite.tmpDataPath=${dir.path}`]);
    expect((await d.write(makeWriteRequest({ prefix: "big", series: 2000 }))).status).toBe(204);
    await waitFor(
      "drop counted",
      async () => (await d.metric('vmagent_remotewrite_packets_dropped_total{url="1:secret-url"}')) === 1,
    );
    expect(await d.metric('vmagent_remotewrite_requests_total{url="1:secret-url",status_code="400"}')).toBe(1);
    expect((await d.write(makeWriteRequest({ prefix: "small", series: 3 }))).status).toBe(204);
    await waitFor("small block delivered", async () => (await vm.sampleCount('{__name__="small_metric"}')) === 3);
  });
});

describe.skipIf(!HAVE_VM || !have("vmagent"))("differential: remote write through vmagent and Drover", () => {
  test("extra_label, -remoteWrite.label and label clashes arrive identically", async () => {
    const { vmagent, drover } = await differential({
      agentArgs: ["-remoteWrite.label=label1=global", "-remoteWrite.label=gl=x", "-remoteWrite.label=empty="],
      expectSamples: 400,
      send: async (base) => {
        const body = makeWriteRequest({ prefix: "diff", series: 200, samplesPerSeries: 2 });
        const res = await fetch(
          `${base}/api/v1/write?extra_label=label0=over&extra_label=env=prod&extra_label=label1=extra`,
          { method: "POST", body },
        );
        expect(res.status).toBe(204);
      },
    });
    expect(drover).toHaveLength(200);
    expect(drover).toEqual(vmagent);
  });
});
