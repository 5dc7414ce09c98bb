// The webhook scenario of the peers benchmark (npm run bench -- peers --only
// webhook): operant's WebhookServer against controller-runtime's
// webhook.Server, each serving the same validating webhook and conversion
// (bench/peers/operant/gadget.ts, bench/peers/controller-runtime/webhook.go)
// in a process of its own, called BY THE API SERVER: the
// ValidatingWebhookConfiguration and the CRD's conversion point at
// https://127.0.0.1:<port> (one port, each server in turn), as the webhook
// tests do.
//
// Per round and server: an open-loop paced client sends dry-run creates of
// Gadgets at 50 and then 200 requests/s (one in ten is denied by the webhook,
// as expected); latency is from each request's scheduled time to its answer,
// so a server that falls behind is charged for the queue it builds. The
// server's CPU per request is its process's utime + stime (/proc/<pid>/stat)
// over the paced phase, divided by the requests. Then conversion: a list of
// the 1,000 Gadgets stored at v1, read at v1alpha1 (every object through the
// webhook), several times. The API server runs without its watch cache
// (--watch-cache=false): with it, each served version of a CRD has a cache of
// its own, filled by converting each object once, and a list read from it
// calls no webhook at all (measured: 0 ms of the server's CPU for five lists).
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "../../packages/operant/src/client/client.ts";
import { crdManifest, installCrds } from "../../packages/operant/src/crd/index.ts";
import { Namespace, ValidatingWebhookConfiguration } from "../../packages/operant/src/kinds/index.ts";
import { createCertificateAuthority } from "../../packages/operant/src/pki/pki.ts";
import { freePort } from "../../packages/operant/src/testing/control-plane/ports.ts";
import { webhookConfigurations, withConversionWebhook } from "../../packages/operant/src/webhook/index.ts";
import { pool } from "../support/process.ts";
import { median, percentile } from "../support/report.ts";
import { GadgetV1, GadgetV1alpha1, MAX_REPLICAS, validateGadget } from "./operant/gadget.ts";

export type WebhookPeer = "operant" | "controller-runtime";

/** What one server measured in one round. */
export interface WebhookRound {
  /** Per paced rate (requests/s): latency percentiles (ms), CPU per request (ms), requests, unexpected failures. */
  admission: Record<number, { p50: number; p99: number; cpuMs: number; requests: number; failures: number; denied: number }>;
  /** Conversion: objects converted per second (median over the reads), and the server's CPU per object (ms). */
  conversion: { objectsPerSecond: number; cpuMsPerObject: number; listMs: number[] };
}

/** Settings of the scenario. */
export interface WebhookScenarioOptions {
  client: Client;
  goPeer: string;
  rounds: number;
  /** Paced rates, requests/s (default [50, 200]). */
  rates?: readonly number[];
  /** Seconds at each rate (default 15). */
  seconds?: number;
  /** Gadgets in the list read at the non-storage version (default 1,000). */
  objects?: number;
  /** List reads per round (default 5). */
  listReads?: number;
  log: (message: string) => void;
  onResult: (peer: WebhookPeer, round: number, result: WebhookRound) => void;
}

const NAMESPACE = "bench-webhook";
const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

/** utime + stime of a process, in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command (which may contain spaces) start after the last ")"; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

interface RunningServer {
  pid: number;
  stop(): Promise<void>;
}

async function startServer(peer: WebhookPeer, goPeer: string, port: number, certDir: string): Promise<RunningServer> {
  const worker = new URL("./operant/webhook.ts", import.meta.url).pathname;
  const child: ChildProcess =
    peer === "operant"
      ? spawn(process.execPath, [worker, String(port), certDir], { stdio: ["pipe", "pipe", "inherit"] })
      : spawn(goPeer, ["--mode", "webhook", "--port", String(port), "--cert-dir", certDir], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = once(child, "exit");
  const ready = await new Promise<{ pid: number }>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.includes('"ready"'));
      if (line) resolve(JSON.parse(line) as { pid: number });
    });
    void exited.then(([code]) => reject(new Error(`the ${peer} webhook server exited (${String(code)}) before it was ready`)));
  });
  return {
    pid: ready.pid,
    async stop() {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

let seq = 0;
const gadget = (replicas: number) => ({ apiVersion: GadgetV1.apiVersion, kind: "Gadget", metadata: { name: `g-${process.pid}-${++seq}`, namespace: NAMESPACE }, spec: { replicas, image: "memcached:1.6" } });

/** One admission call: a dry-run create; every tenth asks for too many replicas and must be denied. */
async function admit(client: Client, i: number): Promise<"allowed" | "denied" | string> {
  const deny = i % 10 === 9;
  try {
    await client.create(GadgetV1, gadget(deny ? MAX_REPLICAS * 10 : 1), { dryRun: true });
    return deny ? "a request over the limit was allowed" : "allowed";
  } catch (err) {
    const message = (err as Error).message;
    if (deny && message.includes(`spec.replicas may be at most ${MAX_REPLICAS}`)) return "denied";
    return message;
  }
}

/** Open loop: request i is due at i/rate s; its latency runs from when it was due to its answer. */
async function paced(client: Client, rate: number, count: number): Promise<{ latencies: number[]; failures: string[]; denied: number }> {
  const latencies: number[] = [];
  const failures: string[] = [];
  let denied = 0;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(
      admit(client, i).then((outcome) => {
        latencies.push(performance.now() - due);
        if (outcome === "denied") denied++;
        else if (outcome !== "allowed") failures.push(outcome);
      }),
    );
  }
  await Promise.all(pending);
  return { latencies, failures, denied };
}

/**
 * Runs the scenario on the API server `client` talks to: a control plane of
 * its own (it installs a CRD and a cluster-wide webhook configuration),
 * started with `--watch-cache=false` so that lists reach the conversion
 * webhook.
 *
 * @example
 * ```ts
 * await webhookScenario({ client, goPeer, rounds: 2, log, onResult: (peer, round, r) => console.log(peer, round, r.admission[200]) });
 * ```
 */
export async function webhookScenario(o: WebhookScenarioOptions): Promise<void> {
  const rates = o.rates ?? [50, 200];
  const seconds = o.seconds ?? 15;
  const objects = o.objects ?? 1000;
  const listReads = o.listReads ?? 5;
  const { client, log } = o;
  const port = await freePort();
  const certDir = mkdtempSync(join(tmpdir(), "operant-bench-webhook-"));
  const ca = createCertificateAuthority("bench-webhook-ca");
  const pair = ca.issue({ commonName: "127.0.0.1", hosts: ["127.0.0.1"], usage: "server" });
  writeFileSync(join(certDir, "tls.crt"), pair.certPem);
  writeFileSync(join(certDir, "tls.key"), pair.keyPem);
  const url = `https://127.0.0.1:${port}`;
  try {
    await client.create(Namespace, { metadata: { name: NAMESPACE } });
    await installCrds(client, [withConversionWebhook(crdManifest(GadgetV1), { url }, ca.certPem)]);
    // Seeded at v1, the storage version: no webhook is called yet (none is configured, and no conversion is needed).
    log(`webhook: seeding ${objects} Gadgets at v1`);
    await pool([...Array(objects).keys()], 32, (i) => client.create(GadgetV1, { apiVersion: GadgetV1.apiVersion, kind: "Gadget", metadata: { name: `seed-${i}`, namespace: NAMESPACE }, spec: { replicas: 1 + (i % 7), image: `memcached:1.${i % 10}` } }));
    const { validating } = webhookConfigurations([validateGadget], { name: "bench-webhook", target: { url }, caBundle: ca.certPem });
    await client.create(ValidatingWebhookConfiguration, validating as never);

    for (let r = 0; r < o.rounds; r++) {
      for (const peer of ["operant", "controller-runtime"] as const) {
        log(`webhook, round ${r + 1}/${o.rounds}: ${peer}`);
        const server = await startServer(peer, o.goPeer, port, certDir);
        try {
          // The API server calls the new process once it accepts connections; then warm up (connections, JIT).
          const readyBy = performance.now() + 30_000;
          for (;;) {
            const outcome = await admit(client, 0);
            if (outcome === "allowed") break;
            if (performance.now() > readyBy) throw new Error(`the API server could not call the ${peer} webhook server for 30 s: ${outcome}`);
            await sleep(100);
          }
          await paced(client, 100, 300);
          const result: WebhookRound = { admission: {}, conversion: { objectsPerSecond: 0, cpuMsPerObject: 0, listMs: [] } };
          for (const rate of rates) {
            const count = rate * seconds;
            const cpu0 = cpuMs(server.pid);
            const { latencies, failures, denied } = await paced(client, rate, count);
            const cpu = cpuMs(server.pid) - cpu0;
            result.admission[rate] = { p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpuMs: cpu / count, requests: count, failures: failures.length, denied };
            log(`  ${peer} at ${rate}/s: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, CPU ${(cpu / count).toFixed(3)} ms/request, ${denied} denied, ${failures.length} failed${failures.length ? ` (${failures[0]})` : ""}`);
          }
          const cpu0 = cpuMs(server.pid);
          for (let i = 0; i < listReads; i++) {
            const t0 = performance.now();
            const list = await client.list(GadgetV1alpha1, { namespace: NAMESPACE });
            result.conversion.listMs.push(performance.now() - t0);
            if (list.items.length !== objects) throw new Error(`read ${list.items.length} Gadgets at v1alpha1, expected ${objects}`);
            if (list.items[0]!.spec.size === undefined) throw new Error("a Gadget read at v1alpha1 has no spec.size: not converted");
          }
          const cpu = cpuMs(server.pid) - cpu0;
          result.conversion.objectsPerSecond = objects / (median(result.conversion.listMs) / 1000);
          result.conversion.cpuMsPerObject = cpu / (objects * listReads);
          log(`  ${peer} conversion: list of ${objects} at v1alpha1 in ${result.conversion.listMs.map((m) => m.toFixed(0)).join(", ")} ms; CPU ${(result.conversion.cpuMsPerObject * 1000).toFixed(1)} µs/object`);
          o.onResult(peer, r, result);
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    await client.delete(ValidatingWebhookConfiguration, { name: "bench-webhook-validating-webhook-configuration" }).catch(() => undefined);
    rmSync(certDir, { recursive: true, force: true });
  }
}
