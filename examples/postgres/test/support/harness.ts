// What the postgres tests share: the operator run in-process through
// runOperator (as main.ts runs it), a logger that keeps every line, and a
// stand-in for a storage provisioner. The local cluster has none: a
// StatefulSet's claims stay Pending and its Pods unschedulable ("pod has
// unbound immediate PersistentVolumeClaims"), so the tests provision volumes
// statically, as an administrator would: one PersistentVolume pre-bound to
// each claim, of a no-provisioner StorageClass.
import { setTimeout as sleep } from "node:timers/promises";
import { isOperantError, runOperator, type Client, type Logger } from "operant";
import { CapturingLogger } from "operant/testing";
import { PersistentVolume, PersistentVolumeClaim, StorageClass } from "operant/kinds";
import { configureFromFlags, operatorFlags } from "../../src/operator.ts";
import operator from "../../src/operator.ts";

/** A StorageClass that allows expansion (no provisioner: volumes are made by {@link StaticVolumes}). */
export const EXPANDABLE_CLASS = "pg-test-expandable";
/** Creates a no-provisioner StorageClass (binding at once) if absent. */
export async function ensureStorageClass(client: Client, name: string, allowVolumeExpansion: boolean): Promise<void> {
  try {
    await client.create(StorageClass, { metadata: { name }, provisioner: "kubernetes.io/no-provisioner", volumeBindingMode: "Immediate", allowVolumeExpansion, reclaimPolicy: "Retain" });
  } catch (err) {
    if (!isOperantError(err, "AlreadyExists")) throw err;
  }
}

/** A running operator; `stop()` shuts it down and waits. */
export interface RunningOperator {
  stop(): Promise<void>;
}

/** Runs the operator in-process with main.ts's flags, watching one namespace. */
export function startOperator(client: Client, namespace: string, options: { image: string; resyncPeriod?: string; logger?: Logger }): RunningOperator {
  const abort = new AbortController();
  const argv = ["node", "main.ts", "--watch-namespace", namespace, "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0", "--postgres-image", options.image];
  if (options.resyncPeriod) argv.push("--resync-period", options.resyncPeriod);
  const done = runOperator(operator, {
    argv,
    env: {},
    flags: operatorFlags,
    configure: configureFromFlags,
    logger: options.logger ?? new CapturingLogger(),
    manager: { client, handleSignals: false, gracefulShutdownTimeout: "5s" },
    signal: abort.signal,
  });
  return {
    async stop() {
      abort.abort();
      await done;
    },
  };
}

/**
 * Plays the storage provisioner for one namespace: each Pending claim gets a
 * PersistentVolume of its size, pre-bound to it (hostPath; nothing is
 * written in this cluster, whose kubelets are simulated).
 */
export class StaticVolumes {
  readonly #client: Client;
  readonly #namespace: string;
  readonly #abort = new AbortController();
  readonly #made = new Set<string>();
  readonly #loop: Promise<void>;

  constructor(client: Client, namespace: string) {
    this.#client = client;
    this.#namespace = namespace;
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      try {
        const claims = await this.#client.list(PersistentVolumeClaim, { namespace: this.#namespace, signal });
        for (const c of claims.items) {
          if (c.spec?.volumeName || c.metadata.deletionTimestamp) continue;
          const name = `pv-${this.#namespace}-${c.metadata.name}`;
          if (this.#made.has(name)) continue;
          await this.#client.create(PersistentVolume, {
            metadata: { name },
            spec: {
              capacity: { storage: c.spec?.resources?.requests?.storage ?? "1Gi" },
              accessModes: ["ReadWriteOnce"],
              persistentVolumeReclaimPolicy: "Retain",
              ...(c.spec?.storageClassName && { storageClassName: c.spec.storageClassName }),
              hostPath: { path: `/tmp/pg-test/${name}` },
              claimRef: { namespace: this.#namespace, name: c.metadata.name, uid: c.metadata.uid },
            },
          });
          this.#made.add(name);
        }
      } catch (err) {
        if (signal.aborted) return;
        if (!isOperantError(err, "AlreadyExists")) throw err;
      }
      await sleep(200, undefined, { signal }).catch(() => {});
    }
  }

  /**
   * Plays the volume resizer: gives every claim's volume the size its claim
   * asks for, and reports it in the claim's status, as a CSI resizer would.
   */
  async completeResizes(): Promise<void> {
    const claims = await this.#client.list(PersistentVolumeClaim, { namespace: this.#namespace });
    for (const c of claims.items) {
      const wanted = c.spec?.resources?.requests?.storage;
      if (!wanted || !c.spec?.volumeName || c.status?.capacity?.storage === wanted) continue;
      await this.#client.patch(PersistentVolume, { name: c.spec.volumeName }, { spec: { capacity: { storage: wanted } } });
      await this.#client.patch(PersistentVolumeClaim, { namespace: this.#namespace, name: c.metadata.name }, { status: { capacity: { storage: wanted } } }, { subresource: "status" });
    }
  }

  /** Stops provisioning and deletes the volumes it made. */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    for (const name of this.#made) await this.#client.delete(PersistentVolume, { name }).catch(() => {});
  }
}
