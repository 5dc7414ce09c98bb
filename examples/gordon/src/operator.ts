// The Gordon operator, described once: src/main.ts runs it, and `operant
// generate` reads it to write config/ (the CRD with both versions and its
// conversion webhook, RBAC, the manager Deployment, the webhook Service).
import { OperantError, defineOperator, type OperatorDefinition, type OperatorFlagSpec } from "operant";
import { Gordon } from "./api/gordon.ts";
import { gordonController } from "./controllers/gordon.ts";
import { gordonConversion } from "./webhooks/conversion.ts";

/**
 * The Gordon operator: the Gordon resource (v1, and the seed's v1alpha1
 * converted by its webhook) and its controller.
 *
 * @example
 * ```ts
 * import operator from "./operator.ts";
 * await runOperator(operator, { argv: process.argv, env: process.env });
 * ```
 */
const operator = defineOperator({
  name: "gordon-operator",
  resources: [Gordon],
  controllers: [gordonController],
  conversions: [gordonConversion],
});
export default operator;

/**
 * `--enable-webhooks false` (env `ENABLE_WEBHOOKS=false`, kubebuilder's
 * switch) runs the operator without its conversion webhook: for a run on this
 * machine that the API server cannot call back (objects are then read and
 * written at v1 only).
 *
 * @example
 * ```ts
 * await runOperator(operator, { argv: process.argv, env: process.env, flags: webhookFlags, configure: configureWebhooks });
 * ```
 */
export const webhookFlags: readonly OperatorFlagSpec[] = [{ name: "enable-webhooks", env: "ENABLE_WEBHOOKS", default: "true", description: "serve the conversion webhook (true or false)" }];

/**
 * The definition to run for the parsed flags: the operator, or without its
 * conversion webhook under `--enable-webhooks false`.
 *
 * @example
 * ```ts
 * const op = configureWebhooks({ custom: { "enable-webhooks": "false" } }); // op.conversions: []
 * ```
 */
export function configureWebhooks(flags: { custom: Record<string, string | undefined> }, definition: OperatorDefinition = operator): OperatorDefinition {
  const enabled = flags.custom["enable-webhooks"] ?? "true";
  if (enabled !== "true" && enabled !== "false") throw new OperantError("InvalidArgument", `--enable-webhooks is "${enabled}": give true or false.`);
  return enabled === "true" ? definition : defineOperator({ ...definition, conversions: [] });
}
