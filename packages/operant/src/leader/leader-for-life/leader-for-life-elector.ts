// Leader-for-life (operator-sdk's leader.Become): the leader is the replica
// whose Pod owns a ConfigMap lock. The lock is created with an owner
// reference to the creating Pod, so it lives exactly as long as that Pod:
// when the Pod is deleted the garbage collector removes the lock and a
// waiting replica creates it. Leadership never lapses while the process
// runs (no renewals, nothing to expire): no split brain from a slow API
// server, at the price of a slow handover when a node is lost.
//
// One addition to operator-sdk: while leading, the elector watches its lock,
// and if the lock is deleted or replaced behind its back (by hand, by a
// force-deleted Pod, by a replica that judged the leader's Node NotReady), it
// steps down, since another replica may lead from then on.
import { access } from "node:fs/promises";
import { join } from "node:path";
import type { Client } from "../../client/client.ts";
import type { ElectionClient } from "../elector.ts";
import { ApiError } from "../../client/transport/api-error.ts";
import { isOperantError, OperantError } from "../../core/errors.ts";
import { silentLogger, type Logger } from "../../core/logger.ts";
import type { OwnerReference, Stored } from "../../core/object.ts";
import { sleep } from "../../core/time.ts";
import { ConfigMap, Node, Pod } from "../../kinds/index.ts";
import type { ElectionHost, LeaderElector } from "../elector.ts";
import { leaderIdentity } from "../identity/identity.ts";
import { operatorNamespace } from "../namespace/operator-namespace.ts";
import { ExponentialBackoff, type BackoffOptions } from "./backoff.ts";
import { lockOwner, staleLockVerdict } from "./stale-lock.ts";

/**
 * Options of {@link LeaderForLifeElector}.
 *
 * @example
 * ```ts
 * const o: LeaderForLifeElectorOptions = { name: "memcached-operator-lock", podName: process.env.POD_NAME, namespace: process.env.POD_NAMESPACE };
 * ```
 */
export interface LeaderForLifeElectorOptions {
  /** Name of the ConfigMap lock (the election id). */
  name: string;
  /** The operator's namespace, where its Pod and the lock live. Default: the Pod's namespace (ServiceAccount file). */
  namespace?: string | undefined;
  /** This replica's Pod (`POD_NAME` from the downward API). Without it, the process is taken to run outside a cluster: it leads at once, without election. */
  podName?: string | undefined;
  /** This replica's identity for logs and status pages (default: {@link leaderIdentity} of the Pod's name). */
  identity?: string | undefined;
  /** Waits between attempts while another Pod holds the lock (operator-sdk: 1 s doubling to 16 s, +0–20 % jitter). A deleted lock is noticed at once through a watch. */
  backoff?: BackoffOptions | undefined;
  /** Step down if the lock is deleted or replaced while leading (default true). */
  stepDownWhenLockLost?: boolean | undefined;
  /** Client (default: the manager's). */
  client?: Client | undefined;
  /** Logger (default: the manager's). */
  logger?: Logger | undefined;
  /** Where to find the in-cluster namespace and token files (default `/var/run/secrets/kubernetes.io/serviceaccount`; tests). A token there means "in a cluster": then `podName` is required. */
  serviceAccountDir?: string | undefined;
}

interface Holder {
  pod: string | undefined;
  identity: string | undefined;
  since: string | undefined;
}

/**
 * Leader-for-life election for the Manager: a ConfigMap owned by
 * the leader's Pod. The leadership signal aborts only on release (shutdown),
 * or if the lock disappears while leading.
 *
 * @example
 * ```ts
 * const manager = new Manager({
 *   leaderElection: new LeaderForLifeElector({ name: "memcached-operator-lock", podName: process.env.POD_NAME, namespace: process.env.POD_NAMESPACE }),
 * });
 * ```
 */
export class LeaderForLifeElector implements LeaderElector {
  readonly mode = "leader-for-life";
  /** Name of the ConfigMap lock. */
  readonly name: string;
  /** This replica's identity. */
  readonly identity: string;
  readonly #options: LeaderForLifeElectorOptions;
  #namespace: string | undefined;
  #log: Logger = silentLogger;
  #host: ElectionHost | undefined;
  #term: AbortController | undefined;
  /** uid of the lock this replica created or adopted, while it leads. */
  #lockUid: string | undefined;
  #myPod: { name: string; uid: string } | undefined;
  #holder: Holder | undefined;
  #observedAt: number | undefined;
  #watch: AbortController | undefined;
  #wake: (() => void) | undefined;
  #lastVerdict: string | undefined;
  #lastError: { message: string; at: string } | undefined;

  constructor(options: LeaderForLifeElectorOptions) {
    if (!options.name) throw new OperantError("InvalidArgument", "LeaderForLifeElector needs the lock's name (the election id), e.g. \"my-operator-lock\".");
    this.#options = options;
    this.name = options.name;
    this.identity = options.identity ?? leaderIdentity(options.podName);
    this.#namespace = options.namespace;
  }

  /** Whether this replica leads. */
  get leading(): boolean {
    return !!this.#term && !this.#term.signal.aborted;
  }

  #ref(): { namespace: string; name: string } {
    return { namespace: this.#namespace!, name: this.name };
  }

  /**
   * Waits until this replica's Pod owns the lock (creating it, or adopting
   * one its Pod already owns after a container restart). Outside a cluster
   * (no `podName`) it leads at once. Rejects with `signal`'s reason if it
   * aborts first, with `LeaderPodNotFound` if the Pod does not exist, and
   * with the API error if the API refuses (e.g. `Forbidden`: RBAC).
   */
  async acquire(signal: AbortSignal, host: ElectionHost): Promise<AbortSignal> {
    if (this.#term) throw new OperantError("LeaderElectionInProgress", `acquire() was called while ${this.identity} leads (lock ${this.name}): call release() first.`);
    this.#host = host;
    this.#log = this.#options.logger ?? host.logger.child({ leaderElection: this.name });
    host.leading(this.name, false);
    const podName = this.#options.podName;
    if (!podName && (await inCluster(this.#options.serviceAccountDir))) {
      // Two replicas of a Deployment would each "lead at once": refuse rather than run two leaders.
      throw new OperantError(
        "LeaderPodNameRequired",
        `leader-for-life election "${this.name}" runs in a cluster (this container has a ServiceAccount token) but has no Pod name, so it cannot own the lock and every replica would lead. Set POD_NAME (and POD_NAMESPACE) from the downward API (env valueFrom fieldRef metadata.name / metadata.namespace), as operant's generated Deployment does.`,
      );
    }
    if (!podName) {
      this.#log.info({ lock: this.name }, "no Pod name (POD_NAME) given: not running in a cluster, so leading without leader election");
      return this.#begin(undefined);
    }
    this.#namespace ??= await operatorNamespace({ serviceAccountDir: this.#options.serviceAccountDir });
    if (!this.#namespace) {
      throw new OperantError("LeaderElectionNamespaceUnknown", `leader-for-life election "${this.name}" needs the operator's namespace (where Pod ${podName} runs): set POD_NAMESPACE from the downward API (fieldRef metadata.namespace) or pass --leader-election-namespace.`);
    }
    const client = this.#options.client ?? host.client;
    const backoff = new ExponentialBackoff(this.#options.backoff);
    const watch = new AbortController();
    this.#watch = watch;
    try {
      const me = await this.#myPodRef(client, podName, signal);
      this.#myPod = { name: me.name, uid: me.uid };
      void this.#watchLock(client, watch.signal);
      this.#log.info({ lock: `${this.#namespace}/${this.name}`, pod: podName }, "trying to become the leader");
      for (;;) {
        signal.throwIfAborted();
        try {
          const existing = await client.tryGet(ConfigMap, this.#ref(), { signal });
          if (existing) {
            this.#observe(existing);
            if (this.#ownedByMe(existing)) {
              this.#log.info({ lock: this.name }, "found an existing lock owned by my Pod (the process was likely restarted): continuing as the leader");
              return this.#begin(existing);
            }
            await this.#judgeHolder(client, existing, signal);
          } else {
            const created = await client.create(ConfigMap, { metadata: { ...this.#ref(), ownerReferences: [me] }, data: { holderIdentity: this.identity, acquireTime: new Date().toISOString() } }, { signal });
            this.#observe(created);
            this.#log.info({ lock: this.name, pod: podName }, "became the leader");
            return this.#begin(created);
          }
        } catch (err) {
          if (signal.aborted) throw signal.reason;
          if (!(err instanceof ApiError && err.code === "AlreadyExists")) {
            if (!isOperantError(err) || !err.retryable) throw err;
            this.#error(err);
            this.#log.warn({ lock: this.name, err: err.message }, "leader election attempt failed; retrying");
          }
        }
        await this.#pause(backoff.next(), signal);
      }
    } catch (err) {
      watch.abort();
      throw signal.aborted ? signal.reason : err;
    }
  }

  /** The owner reference to this replica's Pod. */
  async #myPodRef(client: ElectionClient, podName: string, signal: AbortSignal): Promise<OwnerReference> {
    const backoff = new ExponentialBackoff(this.#options.backoff);
    for (;;) {
      try {
        const pod = await client.get(Pod, { namespace: this.#namespace!, name: podName }, { signal });
        return { apiVersion: "v1", kind: "Pod", name: pod.metadata.name, uid: pod.metadata.uid };
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if (err instanceof ApiError && err.code === "NotFound") {
          throw new OperantError("LeaderPodNotFound", `leader-for-life election: this replica's Pod ${this.#namespace}/${podName} does not exist. Set POD_NAME and POD_NAMESPACE from the downward API (fieldRef metadata.name and metadata.namespace), or run without POD_NAME outside a cluster.`, { cause: err });
        }
        if (!isOperantError(err) || !err.retryable) throw err;
        this.#error(err);
        await sleep(backoff.next(), signal);
      }
    }
  }

  #ownedByMe(lock: Stored<ConfigMap>): boolean {
    return !!this.#myPod && (lock.metadata.ownerReferences ?? []).some((o) => o.kind === "Pod" && o.uid === this.#myPod!.uid);
  }

  #observe(lock: Stored<ConfigMap> | undefined): void {
    this.#observedAt = Date.now();
    if (!lock) {
      this.#holder = undefined;
      return;
    }
    const owner = lockOwner(lock);
    this.#holder = { pod: "name" in owner ? owner.name : undefined, identity: lock.data?.holderIdentity, since: lock.metadata.creationTimestamp };
  }

  #error(err: unknown): void {
    this.#lastError = { message: (err as Error).message, at: new Date().toISOString() };
  }

  /** operator-sdk's handling of a lock held by another Pod (see stale-lock.ts). */
  async #judgeHolder(client: ElectionClient, lock: Stored<ConfigMap>, signal: AbortSignal): Promise<void> {
    const owner = lockOwner(lock);
    if ("problem" in owner) {
      this.#say(`lock ${this.name} is not a valid leader lock (${owner.problem}); waiting`);
      return;
    }
    const pod = await client.tryGet(Pod, { namespace: this.#namespace!, name: owner.name }, { signal });
    let verdict = staleLockVerdict(owner, pod, undefined);
    if (verdict.action === "wait" && pod?.spec?.nodeName) {
      const node = await client.tryGet(Node, { name: pod.spec.nodeName }, { signal }).catch(() => undefined);
      verdict = staleLockVerdict(owner, pod, node);
    }
    this.#say(verdict.reason);
    if (verdict.action === "delete-leader-pod" || verdict.action === "delete-leader-pod-and-lock") {
      try {
        await client.delete(Pod, { namespace: this.#namespace!, name: owner.name }, { preconditions: { uid: owner.uid }, signal });
      } catch (err) {
        if (verdict.action === "delete-leader-pod-and-lock" && !(err instanceof ApiError && (err.code === "NotFound" || err.code === "Conflict"))) throw err;
        this.#log.error({ pod: owner.name, err: (err as Error).message }, "could not delete the leader Pod");
      }
      if (verdict.action === "delete-leader-pod-and-lock") {
        await client.delete(ConfigMap, this.#ref(), { preconditions: { uid: lock.metadata.uid }, signal }).catch((err: unknown) => {
          if (!(err instanceof ApiError && (err.code === "NotFound" || err.code === "Conflict"))) throw err;
        });
      }
    }
  }

  /** Logs a waiting reason once, not on every attempt. */
  #say(reason: string): void {
    if (reason === this.#lastVerdict) return;
    this.#lastVerdict = reason;
    this.#log.info({ lock: this.name }, reason);
  }

  /** Waits `ms`, or less if the lock is deleted meanwhile. */
  async #pause(ms: number, signal: AbortSignal): Promise<void> {
    const early = new AbortController();
    this.#wake = () => early.abort();
    try {
      await sleep(ms, AbortSignal.any([signal, early.signal]));
    } catch (err) {
      if (signal.aborted) throw err;
    } finally {
      this.#wake = undefined;
    }
  }

  /** Follows the lock (list, then watch from there) until `stop` aborts. */
  async #watchLock(client: ElectionClient, stop: AbortSignal): Promise<void> {
    const backoff = new ExponentialBackoff({ initial: "500ms", max: "10s" });
    const fieldSelector = `metadata.name=${this.name}`;
    while (!stop.aborted) {
      try {
        const list = await client.list(ConfigMap, { namespace: this.#namespace!, fieldSelector, signal: stop });
        this.#lockChanged(client, list.items[0]);
        for await (const ev of client.watch(ConfigMap, { namespace: this.#namespace!, fieldSelector, resourceVersion: list.metadata.resourceVersion, signal: stop })) {
          if (ev.type === "BOOKMARK") continue;
          this.#lockChanged(client, ev.type === "DELETED" ? undefined : ev.object);
          backoff.reset();
        }
      } catch (err) {
        if (stop.aborted) return;
        this.#log.debug({ lock: this.name, err: (err as Error).message }, "watching the leader lock failed; retrying");
        await sleep(backoff.next(), stop).catch(() => {});
      }
    }
  }

  #lockChanged(client: ElectionClient, lock: Stored<ConfigMap> | undefined): void {
    this.#observe(lock);
    if (!lock) this.#wake?.();
    if (this.#lockLost(lock)) void this.#confirmLost(client);
  }

  /** Why `lock` (undefined: absent) shows that this leader's lock is gone, if it does. */
  #lockLost(lock: Stored<ConfigMap> | undefined): string | undefined {
    const term = this.#term;
    if (!term || term.signal.aborted || !this.#lockUid || !(this.#options.stepDownWhenLockLost ?? true)) return undefined;
    if (!lock) return "was deleted";
    if (lock.metadata.uid !== this.#lockUid) return "was replaced by another replica's";
    if (!this.#ownedByMe(lock)) return "no longer names this replica's Pod as owner";
    return undefined;
  }

  /** A list or event may predate this replica's own lock: read the lock once more before stepping down. */
  async #confirmLost(client: ElectionClient): Promise<void> {
    let lock: Stored<ConfigMap> | undefined;
    try {
      lock = await client.tryGet(ConfigMap, this.#ref(), { signal: AbortSignal.timeout(10_000) });
    } catch {
      return; // cannot tell: the watch will report again
    }
    const what = this.#lockLost(lock);
    if (what) this.#lose(new OperantError("LeaderLockLost", `the leader lock ConfigMap ${this.#namespace}/${this.name} ${what} while this replica led; another replica may lead now, so leader-only work was stopped.`));
  }

  #begin(lock: Stored<ConfigMap> | undefined): AbortSignal {
    const term = new AbortController();
    this.#term = term;
    this.#lockUid = lock?.metadata.uid;
    this.#host?.leading(this.name, true);
    return term.signal;
  }

  #lose(reason: OperantError): void {
    const term = this.#term;
    if (!term || term.signal.aborted) return;
    this.#host?.leading(this.name, false);
    this.#log.error({ lock: this.name, code: reason.code, err: reason.message }, "leadership lost");
    term.abort(reason);
  }

  /**
   * Ends this replica's term. The lock is left alone: it belongs to the Pod
   * and goes when the Pod goes (operator-sdk's semantics).
   */
  release(): Promise<void> {
    this.#watch?.abort();
    this.#watch = undefined;
    const term = this.#term;
    this.#term = undefined;
    this.#lockUid = undefined;
    this.#host?.leading(this.name, false);
    if (term && !term.signal.aborted) term.abort(new OperantError("LeadershipReleased", `released leadership (lock ${this.name}).`));
    return Promise.resolve();
  }

  /** For status pages: the lock as last observed by this replica. */
  describe(): Record<string, unknown> {
    const h = this.#holder;
    const inCluster = !!this.#options.podName;
    return {
      mode: this.mode,
      identity: this.identity,
      lock: inCluster ? `ConfigMap ${this.#namespace ?? "?"}/${this.name}` : "none (no POD_NAME: not in a cluster, no election)",
      leading: this.leading,
      pod: this.#options.podName ?? null,
      holder: inCluster ? (h?.pod ?? null) : this.leading ? this.identity : null,
      holderIdentity: h?.identity ?? null,
      holderSince: h?.since ?? null,
      observedAt: this.#observedAt === undefined ? null : new Date(this.#observedAt).toISOString(),
      lastError: this.#lastError ?? null,
    };
  }
}

/** Whether this process runs in a Pod: its ServiceAccount token is mounted. */
async function inCluster(serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"): Promise<boolean> {
  try {
    await access(join(serviceAccountDir, "token"));
    return true;
  } catch {
    return false;
  }
}
