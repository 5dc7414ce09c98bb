// Runs the operator until SIGTERM: `npm start` or `operant run` on your machine,
// the container's entrypoint in a cluster. `node src/main.ts --help` lists the flags:
//   --kubeconfig, --context              which cluster (default: KUBECONFIG, ~/.kube/config, in-cluster)
//   --watch-namespace a,b                namespaces to watch (env WATCH_NAMESPACE; default all)
//   --leader-elect                       one active replica (--leader-election-namespace outside a Pod)
//   --metrics-bind-address :8080         /metrics and the status page
//   --health-probe-bind-address :8081    /healthz and /readyz
//   --kube-api-qps 20, --kube-api-burst 30
//                                        the client's rate limit towards the API server
//                                        (env KUBE_API_QPS, KUBE_API_BURST); raise both for
//                                        operators that write a lot, as controller-runtime's flags
//   --log-level info                     fatal, error, warn, info, debug, trace, silent
//   --log-format json|text               (env OPERANT_LOG_FORMAT; text on a terminal and under
//                                        `operant run`, JSON otherwise, e.g. in a container)
//   --debug                              a failure's stack, not only its one-line report
// A failure ends the process with status 1 and one line: error [Code]: what happened and
// what to do (the codes: docs/errors.md in operant's repository).
import { runOperator } from "operant";
import operator from "./operator.ts";

await runOperator(operator, { argv: process.argv, env: process.env, exitOnFailure: true });
