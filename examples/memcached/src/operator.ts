// The operator, described once: src/main.ts runs it, and `operant generate`
// reads it to write config/ (CRDs, RBAC, the manager Deployment, webhooks).
// `operant create api` adds resources and controllers to the lists below.
import { OperantError, defineOperator, type Client, type Manager, type OperatorDefinition, type OperatorFlagSpec } from "operant";
import { Memcached } from "./api/memcached.ts";
import { memcachedController } from "./controllers/memcached.ts";
import { QUOTA_RULES, quotaWebhooks } from "./webhooks/quota.ts";

/** The manager's client, once it has one (see {@link shareManagerClient}): what the quota webhooks read through. */
const managerClient = Promise.withResolvers<Client>();

const operator = defineOperator({
  name: "memcached-operator",
  resources: [Memcached],
  controllers: [memcachedController],
  // A per-namespace quota, a rule CEL cannot express: src/webhooks/quota.ts.
  webhooks: quotaWebhooks(() => managerClient.promise),
  extraRules: QUOTA_RULES,
});
export default operator;

/**
 * runOperator's `onStart`: the quota webhooks read through the manager's own
 * client (its kubeconfig, identity and rate limit) once the manager has started.
 *
 * @example
 * ```ts
 * await runOperator(operator, { argv: process.argv, env: process.env, onStart: shareManagerClient });
 * ```
 */
export function shareManagerClient(manager: Manager): void {
  manager.listening.then(
    () => managerClient.resolve(manager.client),
    (err: unknown) => managerClient.reject(err),
  );
  managerClient.promise.catch(() => undefined); // a manager that never started has no webhook requests to fail
}

/**
 * `--enable-webhooks false` (env `ENABLE_WEBHOOKS=false`, kubebuilder's
 * switch) runs the operator without its webhooks: for a run on this machine
 * that the API server cannot call back (see the README), or a benchmark of the
 * controller alone.
 *
 * @example
 * ```ts
 * await runOperator(operator, { argv: process.argv, env: process.env, flags: webhookFlags, configure: configureWebhooks });
 * ```
 */
export const webhookFlags: readonly OperatorFlagSpec[] = [{ name: "enable-webhooks", env: "ENABLE_WEBHOOKS", default: "true", description: "serve the quota webhooks (true or false)" }];

/**
 * The definition to run for the parsed flags: the operator, or without its
 * webhooks under `--enable-webhooks false`.
 *
 * @example
 * ```ts
 * const op = configureWebhooks({ custom: { "enable-webhooks": "false" } }); // op.webhooks: []
 * ```
 */
export function configureWebhooks(flags: { custom: Record<string, string | undefined> }, definition: OperatorDefinition = operator): OperatorDefinition {
  const enabled = flags.custom["enable-webhooks"] ?? "true";
  if (enabled !== "true" && enabled !== "false") throw new OperantError("InvalidArgument", `--enable-webhooks is "${enabled}": give true or false.`);
  return enabled === "true" ? definition : defineOperator({ ...definition, webhooks: [] });
}
