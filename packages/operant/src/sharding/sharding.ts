// Sharding, put together for a Manager: the operator's controllers narrowed
// to this member's shard, a runnable that keeps this member's Lease (every
// replica), and a runnable that elects one sharder among the replicas and
// runs it while leading. The Manager itself then runs without leader
// election: every member reconciles, each its own shard.
import { Client } from "../client/client.ts";
import { OperantError } from "../core/errors.ts";
import type { KubeObject } from "../core/object.ts";
import type { ElectionHost } from "../leader/elector.ts";
import { LeaseElector } from "../leader/lease/lease-elector.ts";
import type { LeaseTimingsInput } from "../leader/lease/timings.ts";
import type { AnyControllerDefinition, ControllerDefinition } from "../runtime/controller/builder.ts";
import type { Manager, Runnable } from "../runtime/manager/manager.ts";
import { sleep, type Duration } from "../core/time.ts";
import { shardedDefinition } from "./member.ts";
import { MemberLease } from "./membership.ts";
import { Sharder, type ShardedController } from "./sharder.ts";
import { assignmentWebhooks, RingWatch } from "./assignment-webhook.ts";
import type { AdmissionWebhook } from "../webhook/admission/admission.ts";

/**
 * How an operator shards (the definition's `sharding` option, and
 * {@link shardOperator}'s settings).
 *
 * @example
 * ```ts
 * const s: ShardingOptions = { timings: "fast", passInterval: "5s" };
 * ```
 */
export interface ShardingOptions {
  /** Member and sharder Lease timings, as leader election's (default `"default"`: 15 s / 10 s / 2 s). */
  timings?: "default" | "fast" | LeaseTimingsInput | undefined;
  /** Virtual nodes per member on the ring (default 100). */
  virtualNodes?: number | undefined;
  /** The sharder's full pass at least this often (default 5 s): the bound on an unassigned object, with the pass's own duration. */
  passInterval?: Duration | undefined;
  /** Client QPS of the sharder's label patches (default 50). */
  sharderQps?: number | undefined;
}

/**
 * Settings of {@link shardOperator}: the options plus who and where.
 *
 * @example
 * ```ts
 * const s: ShardingSettings = { ring: "memcached-operator", namespace: "memcached-operator-system", memberId: memberIdentity(), electionId: "memcached-operator-sharder" };
 * ```
 */
export interface ShardingSettings extends ShardingOptions {
  /** The ring's name: the operator's name. */
  ring: string;
  /** Namespace of the member Leases and the sharder's election Lease (the operator's). */
  namespace: string;
  /** This member's id ({@link memberIdentity}). */
  memberId: string;
  /** Name of the Lease electing the sharder (e.g. `<operator>-sharder`). */
  electionId: string;
  /** Namespaces of the sharded objects (default: all; the manager's `namespaces`). */
  namespaces?: readonly string[] | undefined;
  /** Also assign new objects at creation: {@link ShardedOperator.webhooks} are then served by this replica (default false). */
  webhooks?: boolean | undefined;
}

/**
 * What to add to a Manager (without leader election) to run as a member.
 *
 * @example
 * ```ts
 * const { controllers, runnables } = shardOperator(operator.controllers, settings);
 * for (const x of [...controllers, ...runnables]) manager.add(x);
 * ```
 */
export interface ShardedOperator {
  readonly controllers: readonly AnyControllerDefinition[];
  readonly runnables: readonly Runnable[];
  readonly member: MemberLease;
  /** With `webhooks`: the mutating webhooks that assign new objects at creation, for this replica's webhook server (else none). */
  readonly webhooks: readonly AdmissionWebhook[];
}

/**
 * What the sharder (and the assignment webhooks) need to know of each
 * controller: its name, primary kind, owned kinds and its own selection.
 *
 * @example
 * ```ts
 * new Sharder(client, { ring: "memcached-operator", namespace: "ops", controllers: shardedControllersOf(operator.controllers) });
 * ```
 */
export function shardedControllersOf(controllers: readonly AnyControllerDefinition[]): ShardedController[] {
  return controllers.map((c) => ({ name: c.name, kind: c.kind, owns: c.owns.map((o) => o.kind), labelSelector: c.forOptions.labelSelector, namespaces: c.forOptions.namespaces }));
}

/**
 * Shards `controllers` across the replicas that run them: each replica is a
 * member (one Lease), reconciles only the objects labelled with its id, and
 * acknowledges drains; one replica at a time (elected on `electionId`) runs
 * the {@link Sharder}. Every controller of the operator is sharded, each
 * with its own label (`shard.operant.dev/<controller>`) on the same ring.
 *
 * @example
 * ```ts
 * const manager = new Manager({ name: "memcached-operator" }); // no leaderElection: every member reconciles
 * const sharded = shardOperator([memcached], { ring: "memcached-operator", namespace: "ops", memberId: memberIdentity(), electionId: "memcached-operator-sharder" });
 * for (const c of sharded.controllers) manager.add(c);
 * for (const r of sharded.runnables) manager.add(r);
 * await manager.start();
 * ```
 */
export function shardOperator(controllers: readonly AnyControllerDefinition[], settings: ShardingSettings): ShardedOperator {
  const sharded = controllers;
  const shardedControllers = shardedControllersOf(sharded);
  const member = new MemberLease({ ring: settings.ring, namespace: settings.namespace, memberId: settings.memberId, timings: settings.timings });
  const hostOf = (manager: Manager): ElectionHost => ({ client: manager.client, logger: manager.logger, leading: (name, yes) => manager.setLeaderStatus(name, yes) });

  const membership: Runnable = {
    name: "shard-member",
    needsLeaderElection: false,
    async start(signal, manager) {
      const lost = await member.join(signal, hostOf(manager));
      manager.logger.info({ member: settings.memberId, lease: member.leaseName }, "joined the shard ring");
      try {
        await new Promise<void>((resolve) => {
          if (signal.aborted || lost.aborted) resolve();
          signal.addEventListener("abort", () => resolve(), { once: true });
          lost.addEventListener("abort", () => resolve(), { once: true });
        });
        // Shutting down: keep the Lease until this member's in-flight reconciles have ended (the queues hand out
        // nothing more once stopping), so its objects cannot move while one still runs.
        while (!lost.aborted && manager.controllers().some((c) => c.inFlight > 0)) await sleep(50);
      } finally {
        await member.leave();
      }
      if (!signal.aborted && lost.aborted) {
        throw new OperantError("ShardMembershipLost", `member ${settings.memberId} could not renew its Lease ${settings.namespace}/${member.leaseName} within the renew deadline: ${(lost.reason as Error | undefined)?.message ?? "lost"}. It stops so that its objects can move; the process should restart.`, { cause: lost.reason });
      }
    },
  };

  const sharderRunnable: Runnable = {
    name: "sharder",
    needsLeaderElection: false,
    async start(signal, manager) {
      const host = hostOf(manager);
      while (!signal.aborted) {
        const elector = new LeaseElector({ name: settings.electionId, namespace: settings.namespace, identity: settings.memberId, timings: settings.timings ?? "default" });
        let leading: AbortSignal;
        try {
          leading = await elector.acquire(signal, host);
        } catch (err) {
          if (signal.aborted) return;
          throw err;
        }
        const qps = settings.sharderQps ?? 50;
        const client = Client.fromConfig(manager.client.transport.config, { qps, burst: Math.max(10, Math.ceil(qps * 1.5)), fieldManager: "operant-sharder", userAgent: "operant/sharder" });
        const stop = new AbortController();
        const term = AbortSignal.any([signal, leading, stop.signal]);
        try {
          await new Sharder(client, { ring: settings.ring, namespace: settings.namespace, controllers: shardedControllers, namespaces: settings.namespaces, virtualNodes: settings.virtualNodes, concurrency: Math.max(8, Math.ceil(qps / 2)), passInterval: settings.passInterval, logger: manager.logger.child({ sharder: settings.ring }) }).run(term);
        } finally {
          stop.abort();
          await elector.release().catch(() => {});
          await client.close().catch(() => {});
        }
      }
    },
  };
  const watch = settings.webhooks ? new RingWatch({ ring: settings.ring, namespace: settings.namespace, virtualNodes: settings.virtualNodes }) : undefined;
  return Object.freeze({
    controllers: sharded.map((c) => shardedDefinition(c as ControllerDefinition<KubeObject>, settings.memberId)),
    runnables: [membership, sharderRunnable, ...(watch ? [watch.runnable()] : [])],
    member,
    webhooks: watch ? assignmentWebhooks(shardedControllers, { ring: settings.ring, watch, namespaces: settings.namespaces }) : [],
  });
}

