// The AppConfig resource (seed: an AppConfig CRD listing the ConfigMaps and
// Secrets to monitor): which objects to watch, and what the operator saw.
import Type from "typebox";
import { AGE_COLUMN, Condition, Defaulted, defineResource, type ObjectOf } from "operant";

/**
 * The API group of AppConfig and the prefix of the operator's annotations.
 *
 * @example
 * ```ts
 * `${GROUP}/config-hash` // "config.example.com/config-hash"
 * ```
 */
export const GROUP = "config.example.com";

// A ConfigMap or Secret name: a DNS-1123 subdomain, as the API server checks it.
const ObjectName = Type.String({ minLength: 1, maxLength: 253, pattern: "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$" });

// Defaulted to []: optional when an AppConfig is written, always a list when one is read.
const names = (what: string) => Defaulted(Type.Array(ObjectName, { maxItems: 100, "x-kubernetes-list-type": "set", description: `${what} in this namespace to monitor, by name.` }), []);

const DeploymentStatus = Type.Object({
  name: Type.String({ description: "Deployment name." }),
  configMaps: Type.Array(Type.String(), { description: "Monitored ConfigMaps its Pod template uses." }),
  secrets: Type.Array(Type.String(), { description: "Monitored Secrets its Pod template uses." }),
  lastRestartAt: Type.Optional(Type.String({ format: "date-time", description: "When this operator last restarted it." })),
});

/**
 * An AppConfig: ConfigMaps and Secrets whose data changes restart, the way
 * `kubectl rollout restart` does, every Deployment of the namespace that uses them.
 *
 * @example
 * ```ts
 * await client.create(AppConfig, { metadata: { name: "node-app", namespace: "default" }, spec: { configMaps: ["node-app-config"], secrets: [] } });
 * ```
 */
export const AppConfig = defineResource({
  group: GROUP,
  version: "v1",
  kind: "AppConfig",
  scope: "Namespaced",
  shortNames: ["ac"],
  description: "AppConfig lists ConfigMaps and Secrets; a change of their data restarts the Deployments of the namespace that use them.",
  spec: Type.Object(
    { configMaps: names("ConfigMaps"), secrets: names("Secrets") },
    { "x-kubernetes-validations": [{ rule: "size(self.configMaps) + size(self.secrets) > 0", message: "list at least one ConfigMap or Secret to monitor" }] },
  ),
  status: Type.Object({
    observedGeneration: Type.Optional(Type.Integer({ minimum: 0 })),
    deployments: Type.Optional(Type.Array(DeploymentStatus, { description: "Deployments that use monitored objects.", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] })),
    conditions: Type.Optional(Type.Array(Condition, { description: "Ready: every Deployment runs with the current data. MissingReferences: monitored objects that do not exist." })),
  }),
  printerColumns: [
    { name: "ConfigMaps", type: "string", jsonPath: ".spec.configMaps" },
    { name: "Secrets", type: "string", jsonPath: ".spec.secrets" },
    { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    AGE_COLUMN,
  ],
});

/**
 * An AppConfig object.
 *
 * @example
 * ```ts
 * const monitored: AppConfig = await client.get(AppConfig, { namespace: "default", name: "node-app" });
 * ```
 */
export type AppConfig = ObjectOf<typeof AppConfig>;
