// What a Postgresql cluster is made of, as desired objects: the StatefulSet,
// its headless Service, the primary and replica Services. Pure functions of
// the resource (and of the live StatefulSet, whose volume templates cannot
// change once created).
import type { Cached } from "operant";
import type { Service, StatefulSet } from "operant/kinds";
import type { Postgresql } from "../../api/postgresql.ts";

/** Port Postgres listens on. */
export const POSTGRES_PORT = 5432;
/** Label the operator keeps on each Pod: `primary` (ordinal 0) or `replica`. */
export const ROLE_LABEL = "db.example.com/role";
/** Label the StatefulSet controller puts on each Pod: its name. */
export const POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
/** Label the StatefulSet controller puts on each Pod: the revision of the template it was made from. */
export const REVISION_LABEL = "controller-revision-hash";
/** `app.kubernetes.io/managed-by` value on everything the operator makes. */
export const MANAGED_BY = "postgres-operator";

/** Names of the objects of cluster `name`. */
export function namesOf(name: string) {
  return {
    statefulSet: name,
    headless: `${name}-headless`,
    primary: `${name}-primary`,
    replica: `${name}-replica`,
    secret: `${name}-credentials`,
    pod: (ordinal: number) => `${name}-${ordinal}`,
    claim: (ordinal: number) => `data-${name}-${ordinal}`,
  };
}

/** Labels selecting the Pods (and volume claims) of cluster `name`. */
export function selectorOf(name: string): Record<string, string> {
  return { "app.kubernetes.io/name": "postgresql", "app.kubernetes.io/instance": name };
}

/** Labels of everything the operator makes for cluster `name`. */
export function labelsOf(name: string): Record<string, string> {
  return { ...selectorOf(name), "app.kubernetes.io/managed-by": MANAGED_BY };
}

/** The ordinal of a StatefulSet Pod (`pg-2` → 2), or undefined. */
export function ordinalOf(podName: string, setName: string): number | undefined {
  if (!podName.startsWith(`${setName}-`)) return undefined;
  const rest = podName.slice(setName.length + 1);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : undefined;
}

/** A resource list with every quantity as a string (the API takes `2` and `"2"` alike). */
function asStrings(list: Readonly<Record<string, string | number>>): Record<string, string> {
  return Object.fromEntries(Object.entries(list).map(([k, v]) => [k, String(v)]));
}

/** DNS name of a Service of the cluster, with the port. */
export function endpointOf(pg: Cached<Postgresql>, service: string): string {
  return `${service}.${pg.metadata?.namespace}.svc:${POSTGRES_PORT}`;
}

/**
 * The StatefulSet. Pods are replaced by the operator (`OnDelete`), one at a
 * time. Volume claim templates are immutable: once the StatefulSet exists its
 * template is kept as it is (size changes go to the claims themselves).
 */
export function statefulSetOf(pg: Cached<Postgresql>, image: string, live: Cached<StatefulSet> | undefined): StatefulSet {
  const name = pg.metadata.name;
  const n = namesOf(name);
  const liveClaim = live?.spec?.volumeClaimTemplates?.[0];
  const size = liveClaim?.spec?.resources?.requests?.storage ?? pg.spec.storage.size;
  const storageClassName = live ? liveClaim?.spec?.storageClassName : pg.spec.storage.storageClassName;
  const resources = pg.spec.resources;
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: n.statefulSet, labels: labelsOf(name) },
    spec: {
      replicas: pg.spec.instances,
      serviceName: n.headless,
      podManagementPolicy: "OrderedReady",
      updateStrategy: { type: "OnDelete" },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete", whenScaled: "Retain" },
      selector: { matchLabels: selectorOf(name) },
      template: {
        metadata: { labels: labelsOf(name) },
        spec: {
          securityContext: { fsGroup: 999 },
          containers: [
            {
              name: "postgres",
              image,
              ports: [{ name: "postgresql", containerPort: POSTGRES_PORT }],
              env: [
                { name: "POSTGRES_USER", value: "postgres" },
                { name: "POSTGRES_PASSWORD", valueFrom: { secretKeyRef: { name: n.secret, key: "postgres" } } },
                { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
                ...(pg.spec.version ? [{ name: "PGVERSION", value: pg.spec.version }] : []),
              ],
              readinessProbe: { exec: { command: ["pg_isready", "-U", "postgres", "-h", "127.0.0.1", "-p", String(POSTGRES_PORT)] }, periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
              ...(resources && { resources: { ...(resources.requests && { requests: asStrings(resources.requests) }), ...(resources.limits && { limits: asStrings(resources.limits) }) } }),
              volumeMounts: [
                { name: "data", mountPath: "/var/lib/postgresql/data" },
                { name: "credentials", mountPath: "/etc/postgresql/credentials", readOnly: true },
              ],
            },
          ],
          volumes: [{ name: "credentials", secret: { secretName: n.secret, defaultMode: 0o400 } }],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "data", labels: labelsOf(name) },
          spec: { accessModes: ["ReadWriteOnce"], ...(storageClassName && { storageClassName }), resources: { requests: { storage: size } } },
        },
      ],
    },
  };
}

/** The headless Service that gives each Pod a DNS name (`pg-0.pg-headless`). */
export function headlessServiceOf(pg: Cached<Postgresql>): Service {
  const name = pg.metadata.name;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: namesOf(name).headless, labels: labelsOf(name) },
    spec: { clusterIP: "None", publishNotReadyAddresses: true, selector: selectorOf(name), ports: [{ name: "postgresql", port: POSTGRES_PORT, targetPort: "postgresql" }] },
  };
}

/** The read-write Service: the primary, which is always Pod 0. */
export function primaryServiceOf(pg: Cached<Postgresql>): Service {
  const name = pg.metadata.name;
  const n = namesOf(name);
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: n.primary, labels: { ...labelsOf(name), [ROLE_LABEL]: "primary" } },
    spec: { selector: { ...selectorOf(name), [POD_NAME_LABEL]: n.pod(0) }, ports: [{ name: "postgresql", port: POSTGRES_PORT, targetPort: "postgresql" }] },
  };
}

/** The read-only Service: every Pod the operator labelled a replica. */
export function replicaServiceOf(pg: Cached<Postgresql>): Service {
  const name = pg.metadata.name;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: namesOf(name).replica, labels: { ...labelsOf(name), [ROLE_LABEL]: "replica" } },
    spec: { selector: { ...selectorOf(name), [ROLE_LABEL]: "replica" }, ports: [{ name: "postgresql", port: POSTGRES_PORT, targetPort: "postgresql" }] },
  };
}
