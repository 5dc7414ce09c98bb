// The AppConfig operator, described once: main.ts runs it, `operant generate`
// writes its CRD, RBAC and manifests from it.
import { defineOperator } from "operant";
import { AppConfig } from "./api/appconfig.ts";
import { appConfigController } from "./controllers/appconfig.ts";

/**
 * The AppConfig operator. Namespace-scoped, as in the seed (a Role, not a
 * ClusterRole): it reads Secrets, so it should see only the namespaces it
 * is given with `--watch-namespace`.
 *
 * @example
 * ```ts
 * import operator from "./operator.ts";
 * await runOperator(operator, { argv: process.argv, env: process.env });
 * ```
 */
export default defineOperator({
  name: "appconfig-operator",
  scope: "Namespaced",
  resources: [AppConfig],
  controllers: [appConfigController],
});
