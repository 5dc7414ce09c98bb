// The postgres operator, described once: read by main.ts (to run it) and by
// `operant generate` (CRD, RBAC, manifests).
import { defineOperator, type OperatorDefinition, type OperatorFlagSpec } from "operant";
import { Postgresql } from "./api/postgresql.ts";
import { postgresqlController, type PostgresqlControllerConfig } from "./controllers/postgresql.ts";

/** Image of clusters that do not name one, unless `--postgres-image` / `POSTGRES_IMAGE` says otherwise. */
export const DEFAULT_POSTGRES_IMAGE = "postgres:17.2";

/**
 * The operator's own flags, parsed by runOperator with the standard ones.
 *
 * @example
 * ```ts
 * await runOperator(operator, { argv: process.argv, env: process.env, flags: operatorFlags, configure: configureFromFlags });
 * ```
 */
export const operatorFlags: readonly OperatorFlagSpec[] = [
  { name: "postgres-image", env: "POSTGRES_IMAGE", default: DEFAULT_POSTGRES_IMAGE, description: "image of the Postgres Pods of clusters that do not set spec.image; changing it replaces their Pods one at a time" },
  { name: "resync-period", env: "RESYNC_PERIOD", default: "5m", description: "how often every cluster is checked for drift even when nothing changed (e.g. 30s, 5m)" },
];

/**
 * The operator with a given configuration.
 *
 * @example
 * ```ts
 * const op = postgresOperator({ image: "postgres:16.6", resyncPeriod: "1m" });
 * ```
 */
export function postgresOperator(config: PostgresqlControllerConfig = { image: DEFAULT_POSTGRES_IMAGE }): OperatorDefinition {
  return defineOperator({ name: "postgres-operator", resources: [Postgresql], controllers: [postgresqlController(config)] });
}

/**
 * The operator configured from parsed flags (runOperator's `configure`).
 *
 * @example
 * ```ts
 * configureFromFlags(parseOperatorFlags(operator, process.argv, process.env, operatorFlags));
 * ```
 */
export function configureFromFlags(flags: { custom: Record<string, string | undefined> }): OperatorDefinition {
  return postgresOperator({ image: flags.custom["postgres-image"] ?? DEFAULT_POSTGRES_IMAGE, resyncPeriod: flags.custom["resync-period"] ?? "5m" });
}

export default postgresOperator();
