// Leader election against the real control plane: the Lease elector's
// semantics in-process, then operator replicas as separate processes (Lease
// with the fast preset; leader-for-life bound to real Pods), proving from the
// API's side that two leaders never write in between each other: all
// evidence, ordered by resourceVersion (etcd's global revision), is a
// concatenation of runs, one per leader.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Client } from "../../src/client/client.ts";
import { isOperantError } from "../../src/core/errors.ts";
import { silentLogger } from "../../src/core/logger.ts";
import type { Stored } from "../../src/core/object.ts";
import { sleep } from "../../src/core/time.ts";
import { ConfigMap, Lease, Pod } from "../../src/kinds/index.ts";
import type { ElectionHost } from "../../src/leader/elector.ts";
import { LeaderForLifeElector } from "../../src/leader/leader-for-life/leader-for-life-elector.ts";
import { LeaseElector } from "../../src/leader/lease/lease-elector.ts";
import { Action } from "../../src/runtime/controller/action.ts";
import { Controller } from "../../src/runtime/controller/builder.ts";
import { Manager } from "../../src/runtime/manager/manager.ts";
import { eventually, FaultProxy, testCluster, type TestCluster } from "../../src/testing/index.ts";
import { evidenceWriters, Replica, runsOf, type ReplicaOptions } from "./fixtures/replicas.ts";

let cluster: TestCluster;
let client: Client;
/** What a Manager hands an elector: here, just the client (no logs, no metric). */
const hostFor = (c: Client): ElectionHost => ({ client: c, logger: silentLogger, leading: () => undefined });
let tmp: string;

before(async () => {
  cluster = await testCluster();
  client = cluster.client;
  tmp = await mkdtemp(join(tmpdir(), "operant-leader-"));
});
after(async () => {
  await cluster.close();
  await rm(tmp, { recursive: true, force: true });
});

/**
 * A client whose every connection goes through its own FaultProxy. Its cleanup
 * closes the client, which waits for requests in flight: whatever uses the
 * client (a manager, an elector) must be stopped by a cleanup registered
 * before this one (t.after hooks run in registration order), or a failed test
 * hangs its file on a watch that never ends.
 */
async function proxied(t: { after: (fn: () => Promise<void>) => void }): Promise<{ proxy: FaultProxy; kubeconfig: string; client: Client }> {
  const proxy = await FaultProxy.start(cluster.controlPlane.server);
  const kubeconfig = await proxy.kubeconfig(cluster.kubeconfigPath, join(tmp, `kubeconfig-${randomBytes(3).toString("hex")}`));
  const c = await Client.connect({ kubeconfig, qps: Infinity, timeoutMs: 5_000 });
  t.after(async () => {
    await c.close();
    await proxy.stop();
  });
  return { proxy, kubeconfig, client: c };
}

/** The Lease's renewTime (MicroTime) in epoch milliseconds. */
const renewedAt = (lease: Stored<Lease>) => Date.parse(lease.spec!.renewTime!.replace(/(\.\d{3})\d*Z$/, "$1Z"));

/** Asserts the evidence is a concatenation of runs: no writer appears in two separate runs. */
async function assertNoInterleaving(ns: string): Promise<string[]> {
  const writers = await evidenceWriters(client, ns);
  const runs = runsOf(writers);
  assert.ok(writers.length > 0, "some evidence was written");
  assert.equal(new Set(runs).size, runs.length, `writers in resourceVersion order form one run per leader, got runs ${runs.join(" → ")}`);
  return runs;
}

/**
 * Stops a manager from a test's cleanup, and fails (instead of hanging the
 * file) when it has not stopped within 20 s, saying what state it is in.
 */
async function stopManager(m: Manager, done: Promise<void>, who: string): Promise<void> {
  m.stop();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`manager ${who} did not stop within 20 s of stop() (leading: ${m.leading}, stopping: ${m.stopping}): its start() promise is still pending`)), 20_000);
  });
  try {
    await Promise.race([done.catch(() => {}), late]);
  } finally {
    clearTimeout(timer);
  }
}

const trigger = (ns: string) => client.create(ConfigMap, { metadata: { name: "trigger", namespace: ns, labels: { role: "trigger" } } });

// Each test has its own budget (sized for a loaded machine); the suite's is their sum. A 60 s budget for the
// whole suite ran out during its third test on a loaded machine, and cancelled it mid-way.
describe("Lease elector", { timeout: 240_000 }, () => {
  test("a candidate judges expiry by when it saw the record change, not by renewTime; it takes over with transitions + 1 and MicroTime stamps; release frees the Lease and wakes a waiting candidate at once", { timeout: 60_000 }, async (t) => {
    const ns = await cluster.namespace("le");
    const manager = hostFor(client);
    const timings = { leaseDuration: "2s", renewDeadline: "1500ms", retryPeriod: "200ms" };
    const long = "2000-01-01T00:00:00.000000Z"; // renewed 25 years ago, by the record's own clock
    await client.create(Lease, { metadata: { name: "ghost", namespace: ns }, spec: { holderIdentity: "ghost_1", leaseDurationSeconds: 2, acquireTime: long, renewTime: long, leaseTransitions: 7 } });

    const first = new LeaseElector({ name: "ghost", namespace: ns, identity: "first_1", timings });
    t.after(() => first.release()); // a failed assertion must not leave an elector renewing (the test file would never exit)
    const t0 = performance.now();
    const lost = await first.acquire(AbortSignal.timeout(15_000), manager);
    const waited = performance.now() - t0;
    assert.ok(waited >= 2_000, `waited a full leaseDuration from its own first observation (${Math.round(waited)} ms)`);
    assert.ok(waited < 4_500, `but not much longer (${Math.round(waited)} ms)`);
    const taken = await client.get(Lease, { namespace: ns, name: "ghost" });
    assert.equal(taken.spec?.holderIdentity, "first_1");
    assert.equal(taken.spec?.leaseTransitions, 8);
    assert.equal(taken.spec?.leaseDurationSeconds, 2);
    assert.match(taken.spec?.acquireTime ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(first.describe().holder, "first_1");
    assert.equal(first.describe().leading, true);

    // While the leader renews, a second candidate never takes over.
    const second = new LeaseElector({ name: "ghost", namespace: ns, identity: "second_2", timings });
    t.after(() => second.release());
    await assert.rejects(second.acquire(AbortSignal.timeout(3_000), manager), (err: Error) => err.name === "TimeoutError");
    assert.equal(second.describe().holder, "first_1", "the candidate reports the holder it observed");
    const renewed = await client.get(Lease, { namespace: ns, name: "ghost" });
    assert.ok(renewedAt(renewed) > renewedAt(taken), "renewed meanwhile");
    assert.equal(renewed.spec?.acquireTime, taken.spec?.acquireTime, "acquireTime kept across renewals");
    assert.equal(lost.aborted, false);

    // A campaigning candidate whose next poll is 5–11 s away is woken by the release itself.
    const third = new LeaseElector({ name: "ghost", namespace: ns, identity: "third_3", timings: { leaseDuration: "10s", renewDeadline: "7s", retryPeriod: "5s" } });
    t.after(() => third.release());
    const campaign = third.acquire(AbortSignal.timeout(15_000), manager);
    await sleep(1_000);
    await first.release();
    const releasedAt = performance.now();
    assert.ok(isOperantError(lost.reason, "LeadershipReleased"), String(lost.reason));
    // What the release wrote, as the API server answered it (the next holder may already have taken it).
    assert.equal(first.describe().holder, null, "holder cleared");
    assert.equal(first.describe().leaseDurationSeconds, 1);
    await campaign;
    // Its next poll was at least retryPeriod (5 s) away: taken well before that means the release woke it.
    assert.ok(performance.now() - releasedAt < 4_000, `the released Lease was taken ${Math.round(performance.now() - releasedAt)} ms after the release, not at the next poll (≥ 5 s)`);
    assert.equal((await client.get(Lease, { namespace: ns, name: "ghost" })).spec?.holderIdentity, "third_3");
    assert.equal((await client.get(Lease, { namespace: ns, name: "ghost" })).spec?.leaseTransitions, 9);
    await third.release();
  });

  test("a leader cut off from the API server aborts its signal within renewDeadline of its last renewal, well before the Lease could expire for others", { timeout: 60_000 }, async (t) => {
    const ns = await cluster.namespace("le");
    const elector = new LeaseElector({ name: "cut", namespace: ns, identity: "leader_1", timings: "fast" });
    t.after(() => elector.release()); // before the proxied client's cleanup: an elector still renewing would hold it open
    const { proxy, client: cut } = await proxied(t);
    const lost = await elector.acquire(AbortSignal.timeout(15_000), hostFor(cut));
    await sleep(1_200);
    proxy.refuse(true);
    proxy.cutAll();
    const cutAt = Date.now();
    if (!lost.aborted) await new Promise((resolve) => lost.addEventListener("abort", resolve, { once: true }));
    const lostAt = Date.now();
    assert.ok(isOperantError(lost.reason, "LeaseRenewFailed"), String(lost.reason));
    assert.equal(elector.leading, false);
    const lastRenewal = renewedAt(await client.get(Lease, { namespace: ns, name: "cut" }));
    assert.ok(lostAt - lastRenewal <= 3_000 + 500, `stopped ${lostAt - lastRenewal} ms after the last renewal (renewDeadline 3 s)`);
    assert.ok(lostAt - lastRenewal < 5_000 - 1_500, "with a margin of more than 1.5 s before the lease (5 s) could expire for a candidate");
    assert.ok(lostAt - cutAt <= 3_600, `${lostAt - cutAt} ms after the cut`);
    await elector.release(); // cannot reach the API server: logs, does not throw
  });

  test("onLeadershipLost: rejoin — a manager that lost its lease stops its controllers, campaigns again, and reconciles again once it leads", { timeout: 120_000 }, async (t) => {
    const ns = await cluster.namespace("le");
    // Registered before the proxied client's cleanup, so the managers stop before their client closes.
    const started: [Manager, Promise<void>, string][] = [];
    t.after(async () => {
      for (const [m, done, who] of started.reverse()) await stopManager(m, done, who);
    });
    const { proxy, client: viaProxy } = await proxied(t);
    const writes: string[] = [];
    const managerFor = (who: string, c: Client) => {
      const m = new Manager({ client: c, namespaces: [ns], metricsBindAddress: false, healthBindAddress: false, handleSignals: false, gracefulShutdownTimeout: "1s", onLeadershipLost: "rejoin", leaderElection: { mode: "lease", id: "rejoin", namespace: ns, identity: who, timings: "fast" } });
      m.add(
        Controller.for(ConfigMap, { labelSelector: { role: "trigger" } })
          .named(`rejoin-${who}`)
          .reconcile(() => {
            writes.push(who);
            return Action.requeueAfter("200ms");
          }),
      );
      return m;
    };
    const a = managerFor("a", viaProxy);
    const doneA = a.start();
    started.push([a, doneA, "a"]);
    await eventually(() => assert.ok(a.leading), { timeoutMs: 30_000, description: "a leads" });
    const b = managerFor("b", client);
    const doneB = b.start();
    started.push([b, doneB, "b"]);
    await trigger(ns);
    await eventually(() => assert.ok(writes.includes("a")), { timeoutMs: 30_000, description: "a reconciles" });

    proxy.refuse(true);
    proxy.cutAll();
    await eventually(() => assert.equal(a.leading, false), { timeoutMs: 15_000, description: "a stops leading" });
    await eventually(() => assert.ok(b.leading && writes.includes("b")), { timeoutMs: 30_000, description: "b leads and reconciles" });
    proxy.refuse(false);
    await sleep(1_000);
    assert.equal(a.leading, false, "a campaigns, b still leads");
    assert.equal(a.stopping, false, "a did not exit");

    const before = writes.length;
    b.stop();
    await doneB;
    await eventually(() => assert.ok(a.leading && writes.slice(before).includes("a")), { timeoutMs: 30_000, description: "a leads and reconciles again (its new controllers found the cached objects)" });
    assert.deepEqual(runsOf(writes), ["a", "b", "a"]);
    a.stop();
    await doneA;
  });
});

describe("replicas as processes", { timeout: 120_000 }, () => {
  test("Lease (fast preset): one leader at a time through SIGKILL, SIGTERM (release) and a network cut; status pages and metrics agree", async (t) => {
    const ns = await cluster.namespace("le");
    const lock = "fixture-leader";
    const replicas: Replica[] = [];
    const proxies = new Map<string, FaultProxy>();
    t.after(() => Replica.killAll(replicas));
    const start = async (instance: string) => {
      const { proxy, kubeconfig } = await proxied(t);
      proxies.set(instance, proxy);
      const r = await Replica.launch({ kubeconfig, namespace: ns, mode: "lease", lock, instance, timings: "fast" } satisfies ReplicaOptions);
      replicas.push(r);
      return r;
    };
    const leaderAmong = async (rs: Replica[], timeoutMs: number) => Promise.any(rs.map((r) => r.waitFor((l) => l.event === "reconciled", timeoutMs, "a reconcile").then(() => r)));

    await Promise.all(["r1", "r2", "r3"].map(start));
    await trigger(ns);
    const first = await leaderAmong(replicas, 20_000);
    await first.waitFor((l) => l.event === "reconciled" && (l.n as number) >= 5, 10_000, "5 reconciles");
    for (const r of replicas) if (r !== first) assert.equal(r.events("reconciled").length, 0, `${r.instance} does not reconcile while ${first.instance} leads`);

    await t.test("every status page names the same holder; the metric is 1 on the leader only", async () => {
      // Candidates learn the holder at their next attempt (retryPeriod 0.5 s + up to 120 % jitter).
      await eventually(
        async () => {
          const statuses = await Promise.all(replicas.map((r) => r.status()));
          for (const [i, s] of statuses.entries()) {
            assert.equal(s.holder, first.identity, `${replicas[i]!.instance} names the leader`);
            assert.equal(s.leading, replicas[i] === first);
            assert.equal(s.identity, replicas[i]!.identity);
            assert.equal(s.mode, "lease");
            assert.equal(s.lock, `Lease ${ns}/${lock}`);
            assert.ok(s.holderSince);
            assert.equal(s.controllers[0]?.name, "evidence");
          }
        },
        { timeoutMs: 5_000 },
      );
      assert.deepEqual(await Promise.all(replicas.map((r) => r.masterStatus(lock))), replicas.map((r) => (r === first ? 1 : 0)));
      const html = await fetch(`http://${replicas[1]!.metrics}/`);
      assert.match(html.headers.get("content-type") ?? "", /text\/html/);
      const page = await html.text();
      assert.ok(page.includes(replicas[1]!.identity) && page.includes(first.identity), "the HTML page names this replica and the leader");
    });

    let second!: Replica;
    await t.test("SIGKILL of the leader: another replica takes over once the lease expires", async () => {
      const killedAt = Date.now();
      first.kill("SIGKILL");
      await first.exited;
      const rest = replicas.filter((r) => r.running);
      second = await leaderAmong(rest, 15_000);
      const leadingAt = second.events("leading")[0]!.t!;
      assert.ok(leadingAt - killedAt >= 3_000, `waited for the lease to expire (${leadingAt - killedAt} ms)`);
      assert.ok(leadingAt - killedAt <= 9_000, `failover took ${leadingAt - killedAt} ms`);
    });

    let third!: Replica;
    await t.test("SIGTERM of the leader: it releases the Lease and another replica leads at once", async () => {
      const seen: Stored<Lease>[] = [];
      const watching = new AbortController();
      const watched = (async () => {
        for await (const ev of client.watch(Lease, { namespace: ns, fieldSelector: `metadata.name=${lock}`, signal: watching.signal })) if (ev.type !== "BOOKMARK") seen.push(ev.object);
      })();
      await sleep(300);
      const termAt = Date.now();
      second.kill("SIGTERM");
      const exit = await second.exited;
      assert.equal(exit.code, 0, "graceful exit");
      third = await leaderAmong(replicas.filter((r) => r.running), 10_000);
      const leadingAt = third.events("leading")[0]!.t!;
      assert.ok(leadingAt - termAt < 3_000, `handover took ${leadingAt - termAt} ms, less than the 5 s lease: the lease was released`);
      watching.abort();
      await watched;
      const releasedAt = seen.findIndex((l) => !l.spec?.holderIdentity);
      assert.ok(releasedAt >= 0, "the Lease was released (no holder)");
      assert.equal(seen[releasedAt - 1]?.spec?.holderIdentity, second.identity, "by the leader that was stopped");
      assert.equal(seen.at(-1)?.spec?.holderIdentity, third.identity);
      assert.ok(second.lines.some((l) => l.msg === "released the lease"));
    });

    await t.test("the leader cut off from the API server stops (and exits) before another replica starts", async () => {
      const fourth = await start("r4");
      await sleep(1_000);
      const proxy = proxies.get(third.instance)!;
      proxy.refuse(true);
      proxy.cutAll();
      const cutAt = Date.now();
      const stopped = await third.waitFor((l) => l.event === "stopped-leading", 6_000, "stopped leading");
      const exit = await third.waitFor((l) => l.event === "exit", 6_000, "exit");
      assert.equal(exit.code, "LeadershipLost");
      assert.equal((await third.exited).code, 1, "exits non-zero");
      assert.ok(stopped.t! - cutAt <= 3_600, `stopped ${stopped.t! - cutAt} ms after the cut (renewDeadline 3 s)`);
      const next = await leaderAmong([fourth], 15_000);
      const leadingAt = next.events("leading")[0]!.t!;
      assert.ok(leadingAt > stopped.t!, "the new leader started after the old one stopped");
      assert.ok(leadingAt - stopped.t! >= 1_000, `with a margin (${leadingAt - stopped.t!} ms)`);
    });

    const runs = await assertNoInterleaving(ns);
    assert.deepEqual(runs, [first.identity, second.identity, third.identity, replicas.at(-1)!.identity]);
  });

  test("leader-for-life: the lock is owned by the leader's Pod; deleting that Pod hands over within 10 s; deleting all Pods removes the lock", async (t) => {
    const ns = await cluster.namespace("le");
    const lock = "fixture-lock";
    const replicas: Replica[] = [];
    t.after(async () => {
      await Replica.killAll(replicas);
      for (const name of ["op-1", "op-2", "op-3"]) await client.patch(Pod, { namespace: ns, name }, { metadata: { finalizers: null } }).catch(() => {});
    });
    // The finalizer stands for the kubelet: a Pod object goes only after its process stopped (the fixture removes it then).
    const pods = await Promise.all(
      ["op-1", "op-2", "op-3"].map((name) => client.create(Pod, { metadata: { name, namespace: ns, finalizers: ["test.operant.dev/process"] }, spec: { nodeName: "kwok-node-0", containers: [{ name: "operator", image: "operator:latest" }] } })),
    );
    const uid = new Map(pods.map((p) => [p.metadata.name, p.metadata.uid]));
    const started = await Promise.all(pods.map((p) => Replica.launch({ kubeconfig: cluster.kubeconfigPath, namespace: ns, mode: "leader-for-life", lock, instance: p.metadata.name, podName: p.metadata.name, podNamespace: ns, kubelet: true })));
    replicas.push(...started);
    await trigger(ns);
    const leaderAmong = (rs: Replica[], timeoutMs: number) => Promise.any(rs.map((r) => r.waitFor((l) => l.event === "reconciled", timeoutMs, "a reconcile").then(() => r)));
    const first = await leaderAmong(replicas, 20_000);
    const cm = await client.get(ConfigMap, { namespace: ns, name: lock });
    assert.deepEqual(cm.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.uid]), [["Pod", first.instance, uid.get(first.instance)]]);
    assert.equal(cm.data?.holderIdentity, first.identity);

    await eventually(
      async () => {
        const statuses = await Promise.all(replicas.map((r) => r.status()));
        for (const [i, s] of statuses.entries()) {
          assert.equal(s.holder, first.instance, `${replicas[i]!.instance} names the leader's Pod`);
          assert.equal(s.leading, replicas[i] === first);
          assert.equal(s.mode, "leader-for-life");
        }
      },
      { timeoutMs: 5_000 },
    );
    assert.deepEqual(await Promise.all(replicas.map((r) => r.masterStatus(lock))), replicas.map((r) => (r === first ? 1 : 0)));

    const deletedAt = Date.now();
    await client.delete(Pod, { namespace: ns, name: first.instance });
    assert.equal((await first.exited).code, 0, "the old leader stopped gracefully when its Pod was deleted");
    const second = await leaderAmong(replicas.filter((r) => r !== first), 15_000);
    const leadingAt = second.events("leading")[0]!.t!;
    assert.ok(leadingAt - deletedAt <= 10_000, `took over ${leadingAt - deletedAt} ms after the Pod's deletion`);
    const cm2 = await client.get(ConfigMap, { namespace: ns, name: lock });
    assert.notEqual(cm2.metadata.uid, cm.metadata.uid, "a new lock");
    assert.deepEqual(cm2.metadata.ownerReferences?.map((o) => o.name), [second.instance]);

    for (const r of replicas.filter((x) => x.running)) await client.delete(Pod, { namespace: ns, name: r.instance });
    await Promise.all(replicas.map((r) => r.exited));
    await eventually(async () => assert.equal(await client.tryGet(ConfigMap, { namespace: ns, name: lock }), undefined), { timeoutMs: 20_000, description: "the lock is garbage-collected with the last Pod" });
    assert.deepEqual((await assertNoInterleaving(ns)).slice(0, 2), [first.identity, second.identity]);
  });
});

describe("leader-for-life elector", { timeout: 30_000 }, () => {
  test("outside a cluster (no Pod name) it leads at once, without a lock, until released", async () => {
    const elector = new LeaderForLifeElector({ name: "no-lock" });
    const manager = hostFor(client);
    const t0 = performance.now();
    const lost = await elector.acquire(AbortSignal.timeout(5_000), manager);
    assert.ok(performance.now() - t0 < 3_000, "at once: it waits for no lock (acquire's signal allows 5 s)");
    assert.equal(elector.leading, true);
    assert.match(String(elector.describe().lock), /no POD_NAME/);
    await sleep(200);
    assert.equal(lost.aborted, false, "leadership does not lapse");
    await elector.release();
    assert.ok(lost.aborted);
  });

  test("the leader's lock adopted after a restart, and deleted behind its back: the leader steps down (LeaderLockLost)", async () => {
    const ns = await cluster.namespace("le");
    const pod = await client.create(Pod, { metadata: { name: "op-1", namespace: ns }, spec: { nodeName: "kwok-node-0", containers: [{ name: "operator", image: "operator:latest" }] } });
    const manager = hostFor(client);
    const first = new LeaderForLifeElector({ name: "lock", podName: "op-1", namespace: ns });
    await first.acquire(AbortSignal.timeout(10_000), manager);
    const lockUid = (await client.get(ConfigMap, { namespace: ns, name: "lock" })).metadata.uid;
    await first.release();
    assert.equal((await client.get(ConfigMap, { namespace: ns, name: "lock" })).metadata.uid, lockUid, "release leaves the lock to the Pod");

    // The same Pod's next process (a container restart) finds its own lock and continues as the leader.
    const restarted = new LeaderForLifeElector({ name: "lock", podName: "op-1", namespace: ns });
    const lost = await restarted.acquire(AbortSignal.timeout(10_000), manager);
    assert.equal(restarted.describe().holder, pod.metadata.name);
    await sleep(300); // its watch is following the lock
    await client.delete(ConfigMap, { namespace: ns, name: "lock" });
    await eventually(() => assert.ok(lost.aborted), { timeoutMs: 5_000, description: "stepped down" });
    assert.ok(isOperantError(lost.reason, "LeaderLockLost"), String(lost.reason));
    assert.equal(restarted.leading, false);
    await restarted.release();
  });

  test("a Pod name that does not exist is refused with LeaderPodNotFound", async () => {
    const ns = await cluster.namespace("le");
    const elector = new LeaderForLifeElector({ name: "lock", podName: "missing", namespace: ns });
    await assert.rejects(elector.acquire(AbortSignal.timeout(5_000), hostFor(client)), (err: unknown) => isOperantError(err, "LeaderPodNotFound") && /POD_NAME/.test(err.message));
  });
});
