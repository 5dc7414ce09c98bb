// The Postgresql controller: from a Postgresql resource to a running cluster
// (credentials Secret, Services, StatefulSet), kept in shape by watches and a
// periodic resync; storage grown where allowed; Pods replaced one at a time
// when the image (or anything else in the Pod template) changes.
import { Action, Controller, type Cached, type ControllerDefinition, type Duration } from "operant";
import { PersistentVolumeClaim, Pod, Secret, Service, StatefulSet } from "operant/kinds";
import { Postgresql } from "../api/postgresql.ts";
import { reconcileCredentials } from "./postgresql/credentials.ts";
import { endpointOf, headlessServiceOf, MANAGED_BY, namesOf, ordinalOf, primaryServiceOf, replicaServiceOf, ROLE_LABEL, selectorOf, statefulSetOf } from "./postgresql/objects.ts";
import { rollOut } from "./postgresql/rollout.ts";
import { reconcileStorage } from "./postgresql/storage.ts";

/** How the operator runs Postgres: set from its flags in main.ts. */
export interface PostgresqlControllerConfig {
  /** Image of clusters that do not name one (`--postgres-image`). Changing it rolls every such cluster, one Pod at a time. */
  image: string;
  /** How often every cluster is checked against its resource even when nothing changed (`--resync-period`, default 5m). */
  resyncPeriod?: Duration;
}

type UpgradeStatus = NonNullable<NonNullable<Postgresql["status"]>["upgrade"]>;

/** Maps a managed Pod or claim to its cluster. */
const toCluster = (obj: Cached<Pod> | Cached<PersistentVolumeClaim>) => {
  const name = obj.metadata?.labels?.["app.kubernetes.io/instance"];
  return name ? [{ namespace: obj.metadata?.namespace, name }] : [];
};

/**
 * The Postgresql controller.
 *
 * @example
 * ```ts
 * defineOperator({ name: "postgres-operator", resources: [Postgresql], controllers: [postgresqlController({ image: "postgres:17" })] });
 * ```
 */
export function postgresqlController(config: PostgresqlControllerConfig): ControllerDefinition<Postgresql> {
  return Controller.for(Postgresql)
    .owns(StatefulSet)
    .owns(Service)
    .owns(Secret, { metadataOnly: true })
    .watches(Pod, { labels: { "app.kubernetes.io/managed-by": MANAGED_BY }, toRequests: toCluster })
    .watches(PersistentVolumeClaim, { labels: { "app.kubernetes.io/managed-by": MANAGED_BY }, toRequests: toCluster })
    .permissions(
      { apiGroups: [""], resources: ["pods"], verbs: ["patch", "delete"] },
      { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: ["patch"] },
      { apiGroups: ["storage.k8s.io"], resources: ["storageclasses"], verbs: ["get"] },
    )
    .withOptions({ resyncPeriod: config.resyncPeriod ?? "5m" })
    .reconcile(async (pg, ctx) => {
      const name = pg.metadata.name;
      const namespace = pg.metadata.namespace!;
      const n = namesOf(name);
      const image = pg.spec.image ?? config.image;

      const credentials = await reconcileCredentials(pg, ctx);
      await ctx.apply(Service, headlessServiceOf(pg));
      await ctx.apply(Service, primaryServiceOf(pg));
      await ctx.apply(Service, replicaServiceOf(pg));
      const set = await ctx.apply(StatefulSet, statefulSetOf(pg, image, ctx.get(StatefulSet, { namespace, name: n.statefulSet })));
      const live = ctx.get(StatefulSet, { namespace, name: n.statefulSet }) ?? set;

      // Roles: Pod 0 is the primary (this example does no failover); the others are replicas, which the replica Service selects.
      const pods = ctx.list(Pod, { namespace, labels: selectorOf(name) });
      for (const pod of pods) {
        const ordinal = ordinalOf(pod.metadata?.name ?? "", n.statefulSet);
        const role = ordinal === 0 ? "primary" : "replica";
        if (ordinal !== undefined && !pod.metadata?.deletionTimestamp && pod.metadata?.labels?.[ROLE_LABEL] !== role) {
          await ctx.patch(Pod, { namespace, name: pod.metadata.name }, { metadata: { labels: { [ROLE_LABEL]: role } } });
        }
      }

      const storage = await reconcileStorage(pg, ctx);
      const rollout = await rollOut(live, pods, ctx);

      const instances = pg.spec.instances;
      const ready = live.status?.readyReplicas ?? 0;
      const upgrading = rollout.pending.length > 0 && !rollout.settling;
      // status.upgrade: the rollout in progress, or the last one, kept as a record once complete.
      const previous = pg.status?.upgrade;
      const sameTarget = previous?.targetRevision === rollout.targetRevision;
      let upgrade: UpgradeStatus | undefined;
      if (upgrading) {
        upgrade = { targetImage: image, targetRevision: rollout.targetRevision!, startedAt: sameTarget && previous ? previous.startedAt : new Date().toISOString(), done: rollout.done, pending: rollout.pending, ...(rollout.current && { current: rollout.current }) };
      } else if (previous) {
        const finished = sameTarget && rollout.pending.length === 0;
        upgrade = { targetImage: previous.targetImage, targetRevision: previous.targetRevision, startedAt: previous.startedAt, done: finished ? rollout.done : [...previous.done], pending: finished ? [] : [...previous.pending], ...(finished && { completedAt: previous.completedAt ?? new Date().toISOString() }) };
      }

      ctx.condition("Upgrading", upgrading, upgrading ? "ReplacingPods" : "UpToDate", upgrading ? `moving Pods to ${image} one at a time: ${rollout.done.length} done, next ${rollout.pending.join(", ")}` : `every Pod runs revision ${rollout.targetRevision ?? "?"}`);
      ctx.condition("StorageResizePending", storage.pending, storage.reason, storage.message);
      ctx.condition(
        "CredentialsLost",
        credentials.differing.length > 0,
        credentials.differing.length > 0 ? "PasswordsDiffer" : "AsSetUp",
        credentials.differing.length > 0
          ? `the passwords of ${credentials.differing.join(", ")} in Secret ${credentials.secretName} are not the ones the database was set up with (the Secret was deleted and regenerated, or edited). Put the previous passwords back into the Secret, or set the new ones in Postgres (ALTER ROLE … PASSWORD) and then run: kubectl annotate postgresql ${name} db.example.com/accept-credentials=true`
          : `Secret ${credentials.secretName} holds the passwords the database was set up with`,
      );
      const allReady = ready >= instances && (live.status?.replicas ?? 0) === instances && !upgrading && !rollout.settling;
      const conditions = ctx.condition("Ready", allReady, allReady ? "AllInstancesReady" : "InstancesNotReady", `${ready} of ${instances} instances Ready`);
      await ctx.updateStatus({
        phase: upgrading ? "Upgrading" : allReady ? "Running" : "Pending",
        instances,
        readyInstances: ready,
        image,
        primaryEndpoint: endpointOf(pg, n.primary),
        replicaEndpoint: endpointOf(pg, n.replica),
        credentialsSecret: credentials.secretName,
        credentials: { fingerprints: credentials.fingerprints },
        ...(upgrade && { upgrade }),
        observedGeneration: pg.metadata.generation,
        conditions,
      });
      // While Pods are being replaced, look again soon even if an event is missed; otherwise wait for changes (and the resync).
      return upgrading || rollout.settling ? Action.requeueAfter("5s") : Action.awaitChange();
    });
}
