// The Gordon operator, described once: main.ts runs it, `operant generate`
// writes its CRD, RBAC and manifests from it.
import { defineOperator } from "operant";
import { Gordon } from "./api/gordon.ts";
import { gordonController } from "./controllers/gordon.ts";

/**
 * The Gordon operator: the Gordon resource and its controller.
 *
 * @example
 * ```ts
 * import operator from "./operator.ts";
 * await runOperator(operator, { argv: process.argv, env: process.env });
 * ```
 */
export default defineOperator({
  name: "gordon-operator",
  resources: [Gordon],
  controllers: [gordonController],
});
