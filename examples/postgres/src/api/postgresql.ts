// The Postgresql resource: one Postgres cluster (a primary and its replicas)
// as the user asks for it, and what the operator reports back.
import Type from "typebox";
import { AGE_COLUMN, Condition, defineResource, IntOrString, QUANTITY_PATTERN, type ObjectOf } from "operant";

/** Role names Postgres accepts unquoted (and Secret keys accept): lower-case letters, digits and `_`, not starting with a digit. */
const IDENTIFIER = "^[a-z_][a-z0-9_]*$";

const Quantity = (description: string) => IntOrString({ description, pattern: QUANTITY_PATTERN });

const ResourceList = Type.Record(Type.String(), Quantity("a quantity such as 500m, 2 or 1Gi"), { description: "cpu, memory… as in a container's resources" });

const User = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 63, pattern: IDENTIFIER, description: "Role name: lower-case letters, digits and _, not starting with a digit" }),
    options: Type.Optional(
      Type.Array(Type.Union([Type.Literal("SUPERUSER"), Type.Literal("CREATEDB"), Type.Literal("CREATEROLE"), Type.Literal("REPLICATION"), Type.Literal("BYPASSRLS")]), {
        "x-kubernetes-list-type": "set",
        description: "Role attributes",
      }),
    ),
  },
  { "x-kubernetes-validations": [{ rule: "self.name != 'postgres'", message: "postgres is the superuser, which the operator manages itself; pick another name" }] },
);

const Database = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 63, pattern: IDENTIFIER, description: "Database name" }),
  owner: Type.String({ minLength: 1, maxLength: 63, description: "Owning role: one of spec.users, or postgres" }),
});

const Spec = Type.Object(
  {
    instances: Type.Integer({ minimum: 1, maximum: 16, description: "Pods in the cluster: one primary, the rest replicas" }),
    version: Type.Optional(
      Type.Union([Type.Literal("14"), Type.Literal("15"), Type.Literal("16"), Type.Literal("17")], { description: "Postgres major version to run inside the image (env PGVERSION, as Spilo-style images that bundle several majors read it)" }),
    ),
    image: Type.Optional(Type.String({ minLength: 1, description: "Image of this cluster's Pods; default: the operator's --postgres-image" })),
    storage: Type.Object({
      size: Type.String({
        pattern: QUANTITY_PATTERN,
        description: "Size of each instance's volume, e.g. 10Gi. It can grow (when the StorageClass allows expansion), never shrink",
        "x-kubernetes-validations": [{ rule: "!isQuantity(self) || quantity(self).isGreaterThan(quantity('0'))", message: "storage.size must be more than 0" }],
      }),
      storageClassName: Type.Optional(Type.String({ minLength: 1, description: "StorageClass of the volumes (default: the cluster's default class); fixed once the cluster exists" })),
    }),
    resources: Type.Optional(Type.Object({ requests: Type.Optional(ResourceList), limits: Type.Optional(ResourceList) }, { description: "Resources of the postgres container" })),
    users: Type.Optional(Type.Array(User, { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"], maxItems: 64, description: "Roles; each gets a generated password in the credentials Secret" })),
    databases: Type.Optional(Type.Array(Database, { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"], maxItems: 64, description: "Databases and their owners" })),
  },
  {
    "x-kubernetes-validations": [
      {
        rule: "!has(self.databases) || self.databases.all(d, d.owner == 'postgres' || (has(self.users) && self.users.exists(u, u.name == d.owner)))",
        message: "every database owner must be postgres or one of spec.users",
      },
    ],
  },
);

const Upgrade = Type.Object({
  targetImage: Type.String({ description: "Image the Pods are being moved to" }),
  targetRevision: Type.String({ description: "StatefulSet revision the Pods are being moved to" }),
  startedAt: Type.String({ format: "date-time" }),
  completedAt: Type.Optional(Type.String({ format: "date-time" })),
  done: Type.Array(Type.String(), { description: "Pods already at the target revision" }),
  pending: Type.Array(Type.String(), { description: "Pods still to replace, in the order they will be replaced" }),
  current: Type.Optional(Type.String({ description: "Pod being replaced now" })),
});

const Status = Type.Object({
  phase: Type.Optional(Type.Union([Type.Literal("Pending"), Type.Literal("Running"), Type.Literal("Upgrading")])),
  instances: Type.Optional(Type.Integer()),
  readyInstances: Type.Optional(Type.Integer()),
  image: Type.Optional(Type.String()),
  primaryEndpoint: Type.Optional(Type.String({ description: "host:port of the primary (read-write)" })),
  replicaEndpoint: Type.Optional(Type.String({ description: "host:port of the replicas (read-only)" })),
  credentialsSecret: Type.Optional(Type.String()),
  credentials: Type.Optional(
    Type.Object({
      fingerprints: Type.Record(Type.String(), Type.String(), { description: "Per user, a SHA-256 fingerprint of the password the database was set up with (never the password)" }),
    }),
  ),
  upgrade: Type.Optional(Upgrade),
  observedGeneration: Type.Optional(Type.Integer()),
  conditions: Type.Optional(Type.Array(Condition)),
});

/**
 * A Postgres cluster.
 *
 * @example
 * ```ts
 * await client.create(Postgresql, {
 *   metadata: { name: "orders", namespace: "shop" },
 *   spec: { instances: 2, storage: { size: "10Gi" }, users: [{ name: "app" }], databases: [{ name: "orders", owner: "app" }] },
 * });
 * ```
 */
export const Postgresql = defineResource({
  group: "db.example.com",
  version: "v1",
  kind: "Postgresql",
  scope: "Namespaced",
  shortNames: ["pg"],
  spec: Spec,
  status: Status,
  validations: [{ rule: "self.metadata.name.matches('^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$')", message: "the name must be at most 40 lower-case letters, digits and '-', starting with a letter (it names Services and Pods)" }],
  printerColumns: [
    { name: "Instances", type: "integer", jsonPath: ".spec.instances" },
    { name: "Ready", type: "integer", jsonPath: ".status.readyInstances" },
    { name: "Phase", type: "string", jsonPath: ".status.phase" },
    { name: "Image", type: "string", jsonPath: ".status.image", priority: 1 },
    AGE_COLUMN,
  ],
  description: "A Postgres cluster: a StatefulSet of one primary and replicas, their Services and a credentials Secret",
});

/** A Postgresql object. */
export type Postgresql = ObjectOf<typeof Postgresql>;
