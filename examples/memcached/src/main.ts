// Runs the operator until SIGTERM: `npm start` or `operant run` on your machine,
// the container's entrypoint in a cluster. Standard flags: --kubeconfig,
// --watch-namespace (else env WATCH_NAMESPACE; default all), --leader-elect,
// --metrics-bind-address (127.0.0.1:8080; :8443 in a Pod, HTTPS with token
// authentication), --status-bind-address (127.0.0.1:8082), --health-probe-bind-address (:8081), --log-level.
import { runOperator } from "operant";
import operator from "./operator.ts";

await runOperator(operator, { argv: process.argv, env: process.env });
