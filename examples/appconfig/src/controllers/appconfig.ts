// The AppConfig controller: when the data of a monitored ConfigMap or Secret
// changes, restart (as `kubectl rollout restart` does) every Deployment of the
// namespace whose Pod template uses it: once per change, whatever the number
// of changed objects, reconciles or operator restarts.
import { randomBytes } from "node:crypto";
import { Action, Controller, OperantError, predicates, type CacheReader, type Cached, type ObjectRef, type Predicate, type ReconcileContext } from "operant";
import { ConfigMap, Deployment, Secret } from "operant/kinds";
import { AppConfig, GROUP } from "../api/appconfig.ts";
import { combinedHash, configMapHash, formatRecord, parseRecord, sameContent, secretHash, type HashRecord } from "./content-hash.ts";
import { podReferences } from "./pod-references.ts";

/**
 * Pod-template annotation `kubectl rollout restart` sets: changing it rolls the Pods.
 *
 * @example
 * ```ts
 * deployment.spec?.template.metadata?.annotations?.[RESTARTED_AT] // "2024-05-01T12:00:00.000Z"
 * ```
 */
export const RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

/**
 * Deployment annotation (on its metadata, so writing it rolls nothing): the
 * content hash of each monitored object the Pods were last (re)started with.
 * The restart decision compares against it: level-based, and it survives
 * operator restarts.
 *
 * @example
 * ```ts
 * parseRecord(deployment.metadata.annotations?.[HASHES]) // { "ConfigMap/node-app-config": "3f2a9c0d4e5b6a71" }
 * ```
 */
export const HASHES = `${GROUP}/hashes`;

/**
 * Pod-template annotation set with each restart: the combined hash of what triggered it.
 *
 * @example
 * ```ts
 * deployment.spec?.template.metadata?.annotations?.[CONFIG_HASH] // "c0ffee0123456789"
 * ```
 */
export const CONFIG_HASH = `${GROUP}/config-hash`;

/**
 * How long a change waits for others before it restarts anything, so that
 * objects changed together (one `kubectl apply -f` of a ConfigMap and a
 * Secret) restart each Deployment once.
 *
 * @example
 * ```ts
 * Action.requeueAfter(SETTLE_MS)
 * ```
 */
export const SETTLE_MS = 2_000;

/**
 * The Secret, in each namespace with monitored Secrets, that holds the key of
 * their content hashes (`data.key`: 32 random bytes). The operator creates it
 * when it is missing; `view` users cannot read it (the `view` role grants no
 * Secrets), so the hashes in Deployment annotations, which they can read,
 * tell them nothing. Deleting it makes a new key: every Deployment using a
 * monitored Secret restarts once.
 *
 * @example
 * ```ts
 * await client.get(Secret, { namespace: "default", name: HASH_KEY_SECRET });
 * ```
 */
export const HASH_KEY_SECRET = "appconfig-hash-key";

type DeploymentStatus = NonNullable<NonNullable<AppConfig["status"]>["deployments"]>[number];

// When this process first saw a Deployment's pending change (namespace/name → time).
// Only for the settle delay: after an operator restart the delay starts over; the
// decision itself reads the Deployment's HASHES annotation.
const noticed = new Map<string, number>();

const key = (kind: "ConfigMap" | "Secret", name: string) => `${kind}/${name}`;

// The cache index of Deployments by what their Pod template uses, `<namespace>/ConfigMap/<name>` and
// `<namespace>/Secret/<name>`: a reconcile reads the users of its objects instead of scanning the namespace.
const USES = "uses";
const usedObjects = (d: Cached<Deployment>): string[] => {
  const refs = podReferences(d.spec?.template);
  const ns = d.metadata.namespace ?? "";
  return [...[...refs.configMaps].map((n) => `${ns}/${key("ConfigMap", n)}`), ...[...refs.secrets].map((n) => `${ns}/${key("Secret", n)}`)];
};

// And AppConfigs by what they monitor, under the same keys: a ConfigMap or Secret event finds its AppConfigs directly.
const MONITORS = "monitors";
const monitoredObjects = (a: Cached<AppConfig>): string[] => {
  const ns = a.metadata.namespace ?? "";
  return [...a.spec.configMaps.map((n) => `${ns}/${key("ConfigMap", n)}`), ...a.spec.secrets.map((n) => `${ns}/${key("Secret", n)}`)];
};

/** AppConfigs of the namespace that monitor this ConfigMap or Secret. */
function monitoring(kind: "ConfigMap" | "Secret", obj: Cached<ConfigMap> | Cached<Secret>, cache: CacheReader): ObjectRef[] {
  return cache.byIndex(AppConfig, MONITORS, `${obj.metadata.namespace}/${key(kind, obj.metadata.name)}`).map((a) => ({ namespace: a.metadata.namespace, name: a.metadata.name }));
}

// Updates pass only when data or binaryData changed: labels, annotations and no-op edits restart nothing.
const configMapChanged: Predicate<ConfigMap> = (e) => e.type !== "updated" || !sameContent(e.previous, e.object);
const secretChanged: Predicate<Secret> = (e) => e.type !== "updated" || !sameContent(e.previous, e.object);

const keyIn = (s: { data?: Readonly<Record<string, string>> } | undefined): Uint8Array | undefined => {
  const key = s?.data?.key ? Buffer.from(s.data.key, "base64") : undefined;
  return key && key.length >= 16 ? key : undefined;
};

/** The namespace's Secret hash key: from the cache, else created (or read, if another reconcile created it first). */
async function hashKey(ctx: ReconcileContext<AppConfig>, namespace: string): Promise<Uint8Array> {
  const ref = { namespace, name: HASH_KEY_SECRET };
  const cached = keyIn(ctx.get(Secret, ref));
  if (cached) return cached;
  try {
    const created = await ctx.client.create(Secret, {
      metadata: { ...ref, labels: { "app.kubernetes.io/managed-by": "appconfig-operator" } },
      type: "Opaque",
      data: { key: randomBytes(32).toString("base64") },
    });
    ctx.log.info({ secret: HASH_KEY_SECRET }, "created the Secret hash key");
    return keyIn(created)!;
  } catch (err) {
    if (!(err instanceof OperantError && err.code === "AlreadyExists")) throw err;
    const live = keyIn(await ctx.client.get(Secret, ref));
    if (!live) throw new OperantError("HashKeyUnusable", `Secret ${namespace}/${HASH_KEY_SECRET} has no usable data.key (at least 16 bytes, base64): delete it and the operator makes a new one (Deployments using monitored Secrets restart once)`);
    return live;
  }
}

async function restart(ctx: ReconcileContext<AppConfig>, d: Cached<Deployment>, record: HashRecord, changed: readonly string[]): Promise<string> {
  const at = new Date().toISOString();
  // A merge patch: the resourceVersion is a precondition (a Deployment changed since the cache saw it is a Conflict, retried),
  // and the record and the restart land together or not at all.
  await ctx.patch(Deployment, { namespace: d.metadata.namespace, name: d.metadata.name }, {
    metadata: { resourceVersion: d.metadata.resourceVersion, annotations: { [HASHES]: formatRecord(record) } },
    spec: { template: { metadata: { annotations: { [RESTARTED_AT]: at, [CONFIG_HASH]: combinedHash(record) } } } },
  });
  ctx.log.info({ deployment: d.metadata.name, changed }, "restarted deployment");
  ctx.event("Normal", "RolloutRestarted", `Restarted Deployment ${d.metadata.name}: ${changed.join(", ")} changed`, "Restart");
  return at;
}

/**
 * The AppConfig controller. Each reconcile, from the cache:
 *
 * 1. hashes the data of every monitored ConfigMap and Secret that exists
 *    (Secrets with a keyed hash; values never leave the cache);
 * 2. for each Deployment of the namespace whose Pod template uses monitored
 *    objects: if one of them differs from the hash recorded on the Deployment
 *    (annotation {@link HASHES}), waits {@link SETTLE_MS} for further changes,
 *    then restarts it once (pod-template annotations {@link RESTARTED_AT} and
 *    {@link CONFIG_HASH}, with the new record, in one patch). A Deployment
 *    seen for the first time, or newly using an object, has its hashes
 *    recorded without a restart (its Pods already run with that data); one
 *    that uses a missing object, or is paused, is left alone;
 * 3. writes `status`: Deployments and what they use, last restarts, and the
 *    conditions `MissingReferences` and `Ready`.
 *
 * @example
 * ```ts
 * new Manager({ namespaces: ["default"] }).add(appConfigController).start();
 * ```
 */
export const appConfigController = Controller.for(AppConfig, { predicates: [predicates.generationChanged()] })
  .watches(ConfigMap, { toRequests: (cm, cache) => monitoring("ConfigMap", cm, cache), predicates: [configMapChanged] })
  .watches(Secret, { toRequests: (secret, cache) => monitoring("Secret", secret, cache), predicates: [secretChanged] })
  .watches(Deployment, {
    toRequests: (d, cache) => cache.list(AppConfig, { namespace: d.metadata.namespace }).map((a) => ({ namespace: a.metadata.namespace, name: a.metadata.name })),
    predicates: [predicates.or(predicates.generationChanged(), predicates.annotationsChanged())],
  })
  // Restarting is a patch of Deployments; creating the hash key Secret is the one other write. Everything else is read.
  .index(Deployment, USES, usedObjects)
  .index(AppConfig, MONITORS, monitoredObjects)
  .permissions({ apiGroups: ["apps"], resources: ["deployments"], verbs: ["patch"] }, { apiGroups: [""], resources: ["secrets"], verbs: ["create"] })
  .reconcile(async (ac, ctx) => {
    const namespace = ac.metadata.namespace;
    const configMaps = ac.spec.configMaps;
    const secrets = ac.spec.secrets;

    // 1. Content hashes of what any AppConfig of the namespace monitors: a Deployment's decision covers
    // all of them at once, so objects changed together restart it once even when two AppConfigs list them.
    const appConfigs = ctx.list(AppConfig, { namespace });
    const monitored = new Set<string>();
    const hashes = new Map<string, string>();
    for (const name of new Set(appConfigs.flatMap((a) => a.spec.configMaps))) {
      monitored.add(key("ConfigMap", name));
      const cm = ctx.get(ConfigMap, { namespace, name });
      if (cm) hashes.set(key("ConfigMap", name), configMapHash(cm));
    }
    let secretKey: Uint8Array | undefined;
    for (const name of new Set(appConfigs.flatMap((a) => a.spec.secrets))) {
      monitored.add(key("Secret", name));
      const secret = ctx.get(Secret, { namespace, name });
      if (secret) hashes.set(key("Secret", name), secretHash(secret, (secretKey ??= await hashKey(ctx, namespace ?? ""))));
    }
    const missing = [...configMaps.map((n) => key("ConfigMap", n)), ...secrets.map((n) => key("Secret", n))].filter((k) => !hashes.has(k));

    // 2. Deployments.
    const deployments: DeploymentStatus[] = [];
    const waiting: string[] = [];
    const failures: { deployment: string; err: unknown }[] = [];
    let requeueMs: number | undefined;
    // The Deployments that use at least one of this AppConfig's objects, from the index.
    const users = new Map<string, Cached<Deployment>>();
    for (const k of [...configMaps.map((n) => key("ConfigMap", n)), ...secrets.map((n) => key("Secret", n))]) {
      for (const d of ctx.byIndex(Deployment, USES, `${namespace}/${k}`)) users.set(d.metadata.name, d);
    }
    const all = [...users.values()].toSorted((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
    for (const d of all) {
      const refs = podReferences(d.spec?.template);
      const entry: DeploymentStatus = { name: d.metadata.name, configMaps: configMaps.filter((n) => refs.configMaps.has(n)), secrets: secrets.filter((n) => refs.secrets.has(n)) };
      if (entry.configMaps.length === 0 && entry.secrets.length === 0) continue;
      const template = d.spec?.template.metadata?.annotations;
      if (template?.[CONFIG_HASH] && template[RESTARTED_AT]) entry.lastRestartAt = template[RESTARTED_AT];
      deployments.push(entry);

      const used = [...[...refs.configMaps].map((n) => key("ConfigMap", n)), ...[...refs.secrets].map((n) => key("Secret", n))].filter((k) => monitored.has(k));
      const dKey = `${namespace}/${d.metadata.name}`;
      if (used.some((k) => !hashes.has(k))) continue; // nothing to compare with: MissingReferences says which
      const recorded = parseRecord(d.metadata.annotations?.[HASHES]);
      const current = Object.fromEntries(used.map((k) => [k, hashes.get(k)!]));
      const changed = used.filter((k) => recorded[k] !== undefined && recorded[k] !== current[k]);
      // The record covers what the Pods use and some AppConfig monitors; the rest is dropped.
      const next: HashRecord = current;
      try {
        if (changed.length === 0) {
          noticed.delete(dKey);
          if (formatRecord(next) !== formatRecord(recorded)) {
            // First sight, or a newly used object: the Pods already run with this data. Metadata only: nothing rolls.
            await ctx.patch(Deployment, { namespace, name: d.metadata.name }, { metadata: { resourceVersion: d.metadata.resourceVersion, annotations: { [HASHES]: formatRecord(next) } } });
            ctx.log.debug({ deployment: d.metadata.name, objects: Object.keys(next) }, "recorded content hashes");
          }
          continue;
        }
        if (d.spec?.paused) {
          waiting.push(`${d.metadata.name} (paused; restarts once resumed: ${changed.join(", ")} changed)`);
          continue;
        }
        const first = noticed.get(dKey) ?? Date.now();
        noticed.set(dKey, first);
        const wait = first + SETTLE_MS - Date.now();
        if (wait > 0) {
          waiting.push(`${d.metadata.name} (${changed.join(", ")} changed)`);
          requeueMs = Math.min(requeueMs ?? wait, wait);
          continue;
        }
        entry.lastRestartAt = await restart(ctx, d, next, changed);
        noticed.delete(dKey);
      } catch (err) {
        failures.push({ deployment: d.metadata.name, err });
      }
    }

    // 3. Status.
    const missingMessage = missing.length > 0 ? `not found in namespace ${namespace}: ${missing.join(", ")}` : "every monitored ConfigMap and Secret exists";
    ctx.condition("MissingReferences", missing.length > 0, missing.length > 0 ? "NotFound" : "AllFound", missingMessage);
    const [reason, message] =
      failures.length > 0
        ? ["RestartFailed", `restarting ${failures.map((f) => f.deployment).join(", ")} failed; retrying`]
        : waiting.length > 0
          ? ["RestartPending", `to restart: ${waiting.join("; ")}`]
          : missing.length > 0
            ? ["MissingReferences", missingMessage]
            : ["UpToDate", `${deployments.length} Deployment(s) run with the current data`];
    const conditions = ctx.condition("Ready", reason === "UpToDate", reason, message);
    await ctx.updateStatus({ ...(ac.metadata.generation !== undefined && { observedGeneration: ac.metadata.generation }), deployments, conditions });

    const failed = failures[0];
    if (failed) {
      const why = failed.err instanceof Error ? failed.err.message : String(failed.err);
      throw new OperantError("RestartFailed", `restarting Deployment ${namespace}/${failed.deployment} failed (${why}); the restart is retried with backoff`, { cause: failed.err, retryable: true });
    }
    return requeueMs !== undefined ? Action.requeueAfter(requeueMs) : Action.awaitChange();
  });
