// CPU starvation: three Lease-elected operator replicas while the machine is saturated (CPU hogs, and a cgroup CPU quota on the replicas where possible): missed renewals, leader changes, overlapping leaders, convergence.
//
// npm run bench -- starvation [--quiet 30] [--saturated 120] [--recovery 30] [--hogs 4] [--cpu-limit 0.5] [--timings default] [--dry-run]
//
//   --quiet       seconds of the baseline phase, no hogs (default 30)
//   --saturated   seconds with the hogs running (default 120)
//   --recovery    seconds after the hogs stopped (default 30)
//   --hogs        busy-looping processes (default: 2 per CPU)
//   --cpu-limit   CPU quota shared by the three replicas, in CPUs (default 0.5; 0 = none)
//   --timings     Lease preset of the replicas: default (15 s / 10 s / 2 s) or fast (5 s / 3 s / 0.5 s)
//   --dry-run     print the figures without rewriting bench/RESULTS.md
//
// The replicas are test/leader/fixtures/replica.ts: while leading, each
// reconcile writes an evidence ConfigMap naming the writer, every 200 ms. This
// process watches the Lease from outside the quota (it and the control plane
// compete with the hogs like everything else on the machine) and reads the
// evidence afterwards in resourceVersion order, etcd's one order of all
// writes: if two leaders ever overlapped, a writer would appear in two runs.
import os from "node:os";
import { parseArgs } from "node:util";
import { writeResultsSection } from "../scripts/bench.ts";
import { createCpuLimit, startCpuHogs, type CpuLimit } from "../scripts/cpu-limit.ts";
import { Client } from "../packages/operant/src/client/client.ts";
import { ConfigMap, Lease, Namespace } from "../packages/operant/src/kinds/index.ts";
import { DEFAULT_LEASE_TIMINGS, FAST_LEASE_TIMINGS } from "../packages/operant/src/leader/lease/timings.ts";
import { ControlPlane } from "../packages/operant/src/testing/index.ts";
import { evidenceWriters, Replica, runsOf } from "../packages/operant/test/leader/fixtures/replicas.ts";
import { loadAverage, machineRows, table } from "./support/report.ts";

const { values: args } = parseArgs({
  options: {
    quiet: { type: "string", default: "30" },
    saturated: { type: "string", default: "120" },
    recovery: { type: "string", default: "30" },
    hogs: { type: "string", default: String(2 * os.availableParallelism()) },
    "cpu-limit": { type: "string", default: "0.5" },
    timings: { type: "string", default: "default" },
    "dry-run": { type: "boolean", default: false },
  },
});
const PHASES = [
  { name: "quiet", seconds: Number(args.quiet) },
  { name: "saturated", seconds: Number(args.saturated) },
  { name: "recovery", seconds: Number(args.recovery) },
] as const;
const HOGS = Number(args.hogs);
const CPU_LIMIT = Number(args["cpu-limit"]);
const PRESET = args.timings === "fast" ? "fast" : "default";
const TIMINGS = PRESET === "fast" ? FAST_LEASE_TIMINGS : DEFAULT_LEASE_TIMINGS;

const log = (m: string) => process.stderr.write(`[starvation] ${m}\n`);
const load = loadAverage;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One Lease record as this process saw it (watch), stamped with this process's clock. */
interface Sighting {
  at: number;
  holder: string;
  renewMs: number;
  transitions: number;
}

interface PhaseFigures {
  name: string;
  seconds: number;
  load: string;
  renewals: number;
  missed: number;
  worstRenewGapMs: number;
  leaderChanges: number;
  evidence: number;
  longestEvidenceGapMs: number;
}

/** MicroTime → epoch ms (the holder's clock). */
const micro = (t: string | undefined) => (t ? Date.parse(t.replace(/(\.\d{3})\d*Z$/, "$1Z")) : NaN);

async function main(): Promise<void> {
  const machine = machineRows().filter(([k]) => k !== "Date"); // the date goes last, with the load at the end
  log("starting a full control plane");
  const cp = await ControlPlane.start({ profile: "full" });
  const client = await Client.connect({ kubeconfig: cp.kubeconfigPath, qps: Infinity });
  const ns = `starvation-${Math.random().toString(16).slice(2, 8)}`;
  await client.create(Namespace, { metadata: { name: ns } });
  const lock = "starvation-leader";
  const replicas: Replica[] = [];
  let stopHogs: (() => void) | undefined;
  let cpuLimit: CpuLimit | undefined;
  let quotaNote = "none (--cpu-limit 0)";
  try {
    if (CPU_LIMIT > 0) {
      const made = createCpuLimit(CPU_LIMIT, `operant-starvation-${process.pid}`);
      if ("reason" in made) quotaNote = `none: ${made.reason}`;
      else {
        cpuLimit = made;
        quotaNote = `${CPU_LIMIT} CPU for the three replicas together (${made.description})`;
      }
    }
    // The replicas start inside the quota: this process joins it while spawning them, then leaves.
    cpuLimit?.add(process.pid);
    try {
      for (const instance of ["r1", "r2", "r3"]) replicas.push(await Replica.launch({ kubeconfig: cp.kubeconfigPath, namespace: ns, mode: "lease", lock, instance, timings: PRESET }));
    } finally {
      cpuLimit?.remove(process.pid);
    }
    await client.create(ConfigMap, { metadata: { name: "trigger", namespace: ns, labels: { role: "trigger" } } });
    await Promise.any(replicas.map((r) => r.waitFor((l) => l.event === "reconciled", 60_000, "a first reconcile")));

    const sightings: Sighting[] = [];
    const watching = new AbortController();
    const watched = (async () => {
      while (!watching.signal.aborted) {
        try {
          for await (const ev of client.watch(Lease, { namespace: ns, fieldSelector: `metadata.name=${lock}`, signal: watching.signal })) {
            if (ev.type === "BOOKMARK" || ev.type === "DELETED") continue;
            const s = ev.object.spec ?? {};
            sightings.push({ at: Date.now(), holder: s.holderIdentity ?? "", renewMs: micro(s.renewTime), transitions: s.leaseTransitions ?? 0 });
          }
        } catch {
          if (!watching.signal.aborted) await sleep(200);
        }
      }
    })();

    // Convergence after the load: every replica's status page names one holder, and exactly one replica leads.
    const converged = async (deadline: number): Promise<number | undefined> => {
      while (Date.now() < deadline) {
        const statuses = await Promise.all(replicas.filter((r) => r.running).map((r) => r.status().catch(() => undefined)));
        const holders = new Set(statuses.map((s) => s?.holder ?? ""));
        if (holders.size === 1 && !holders.has("") && statuses.filter((s) => s?.leading).length === 1) return Date.now();
        await sleep(250);
      }
      return undefined;
    };
    let convergence: Promise<number | undefined> = Promise.resolve(undefined);
    const bounds: { name: string; seconds: number; from: number; to: number; load: string }[] = [];
    for (const phase of PHASES) {
      if (phase.name === "saturated") stopHogs = await startCpuHogs(HOGS);
      if (phase.name === "recovery") {
        stopHogs?.();
        convergence = converged(Date.now() + 60_000);
      }
      const from = Date.now();
      log(`${phase.name}: ${phase.seconds} s${phase.name === "saturated" ? ` with ${HOGS} CPU hogs` : ""} (load ${load()})`);
      await sleep(phase.seconds * 1000);
      bounds.push({ ...phase, from, to: Date.now(), load: load() });
    }
    const hogsStoppedAt = bounds.find((b) => b.name === "recovery")!.from;

    const convergedAt = await convergence;
    watching.abort();
    await watched;

    const evidence = await client.list(ConfigMap, { namespace: ns, labelSelector: { role: "evidence" } });
    const evidenceTimes = evidence.items.map((i) => Date.parse(i.metadata.creationTimestamp ?? "")).sort((a, b) => a - b);
    const writers = await evidenceWriters(client, ns);
    const runs = runsOf(writers);
    const overlapping = runs.length - new Set(runs).size;

    const figures: PhaseFigures[] = bounds.map((b) => {
      const inPhase = sightings.filter((s) => s.at >= b.from && s.at < b.to);
      // Renewal gaps by the holder's own clock (renewTime), between consecutive renewals of the same holder.
      let missed = 0;
      let worst = 0;
      let changes = 0;
      for (let i = 1; i < inPhase.length; i++) {
        const [prev, cur] = [inPhase[i - 1]!, inPhase[i]!];
        if (cur.holder !== prev.holder) {
          changes++;
          continue;
        }
        const gap = cur.renewMs - prev.renewMs;
        if (!(gap > 0)) continue;
        worst = Math.max(worst, gap);
        missed += Math.max(0, Math.round(gap / TIMINGS.retryPeriod) - 1);
      }
      const ev = evidenceTimes.filter((t) => t >= b.from - 1000 && t < b.to);
      let longest = 0;
      for (let i = 1; i < ev.length; i++) longest = Math.max(longest, ev[i]! - ev[i - 1]!);
      return { name: b.name, seconds: b.seconds, load: b.load, renewals: inPhase.length, missed, worstRenewGapMs: worst, leaderChanges: changes, evidence: ev.length, longestEvidenceGapMs: longest };
    });

    machine.push(["Load average at end (1/5/15 min)", load()], ["Date", new Date().toISOString()]);
    const md = section({ figures, overlapping, runs: runs.length, writes: writers.length, convergedMs: convergedAt === undefined ? undefined : convergedAt - hogsStoppedAt, quotaNote, machine });
    process.stdout.write(`${md}\n`);
    // One section per Lease preset, so both can stand side by side.
    if (!args["dry-run"]) writeResultsSection(PRESET === "fast" ? "starvation-fast" : "starvation", md);
    if (overlapping > 0) process.exitCode = 1;
  } finally {
    stopHogs?.();
    await Replica.killAll(replicas);
    cpuLimit?.release();
    await client.delete(Namespace, { name: ns }).catch(() => {});
    await client.close();
    await cp.stop();
  }
}

function section(r: { figures: PhaseFigures[]; overlapping: number; runs: number; writes: number; convergedMs: number | undefined; quotaNote: string; machine: [string, string][] }): string {
  const t = TIMINGS;
  return [
    `## CPU starvation (Lease ${PRESET} preset, replicas' quota ${CPU_LIMIT > 0 ? `${CPU_LIMIT} CPU` : "none"})`,
    "",
    `Measured by [\`bench/starvation.ts\`](starvation.ts): \`npm run bench -- starvation${PRESET === "fast" ? " --timings fast" : ""}${CPU_LIMIT !== 0.5 ? ` --cpu-limit ${CPU_LIMIT}` : ""}\`.`,
    "",
    "### Machine",
    "",
    table(["", "value"], r.machine),
    "",
    "### Method",
    "",
    `Three replicas of the leader-election fixture operator (Lease, ${PRESET} preset: ${t.leaseDuration / 1000} s / ${t.renewDeadline / 1000} s / ${t.retryPeriod / 1000} s) run against a local \`full\` control plane; the leader writes an evidence ConfigMap every 200 ms. Phases: ${PHASES.map((p) => `${p.name} ${p.seconds} s`).join(", ")}; in the saturated phase ${HOGS} busy-looping processes run beside everything (control plane, replicas, this process). CPU quota: ${r.quotaNote}.`,
    "Renewals are the Lease updates this process saw through a watch; a gap between two renewals of the same holder (by the holder's own clock, renewTime) longer than retryPeriod counts round(gap / retryPeriod) − 1 missed renewals. Leader changes are holder changes seen. Overlapping leaders: the writers of all evidence in resourceVersion order (etcd's single order of writes) must form one run per leader term; each writer that appears in a second run is an overlap. Convergence: time from the hogs stopping until every replica's status page names the same holder and exactly one replica leads.",
    "",
    "| phase | seconds | load at end (1/5/15) | renewals seen | missed renewals | worst renewal gap | leader changes | evidence writes | longest gap between writes |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...r.figures.map((f) => `| ${f.name} | ${f.seconds} | ${f.load} | ${f.renewals} | ${f.missed} | ${secs(f.worstRenewGapMs)} | ${f.leaderChanges} | ${f.evidence} | ${secs(f.longestEvidenceGapMs)} |`),
    "",
    `- Overlapping leaders: **${r.overlapping}** (target 0: ${r.overlapping === 0 ? "met" : "**missed**"}); ${r.writes} evidence writes in ${r.runs} leader term(s).`,
    `- Convergence after the load: ${r.convergedMs === undefined ? "**not within 60 s**" : secs(Math.max(0, r.convergedMs))}.`,
    "",
  ].join("\n");
}

await main();
