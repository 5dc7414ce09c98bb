// Runs the operator until SIGTERM: `npm start` on your machine, the
// container's entrypoint in a cluster. Standard flags: --kubeconfig,
// --watch-namespace (else env WATCH_NAMESPACE; default all), --leader-elect
// (leader-for-life unless --leader-election-mode lease; leader-for-life needs
// POD_NAME and POD_NAMESPACE naming this replica's Pod),
// --metrics-bind-address (:8080, also the status page), --health-probe-bind-address
// (:8081), --log-level.
import { runOperator } from "operant";
import operator, { statusSections } from "./operator.ts";

await runOperator(operator, { argv: process.argv, env: process.env, exitOnFailure: true, manager: { statusSections } });
