// Runs the operator until SIGTERM: `npm start` or `operant run` on your machine,
// the container's entrypoint in a cluster. `node src/main.ts --help` lists the flags:
//   --kubeconfig, --context              which cluster (default: KUBECONFIG, ~/.kube/config, in-cluster)
//   --watch-namespace a,b                namespaces to watch (env WATCH_NAMESPACE; default all)
//   --leader-elect                       one active replica (--leader-election-namespace outside a Pod)
//   --metrics-bind-address 127.0.0.1:8080
//                                        /metrics: plain HTTP on loopback; any other address
//                                        (:8443 in a Pod) HTTPS, each request's token checked
//                                        (--metrics-secure / --no-metrics-secure, --metrics-cert-dir)
//   --status-bind-address 127.0.0.1:8082 the status page (loopback: kubectl port-forward)
//   --health-probe-bind-address :8081    /healthz and /readyz
//   --kube-api-qps 20, --kube-api-burst 30
//                                        the client's rate limit towards the API server
//                                        (env KUBE_API_QPS, KUBE_API_BURST); raise both for
//                                        operators that write a lot, as controller-runtime's flags
//   --log-level info                     fatal, error, warn, info, debug, trace, silent
//   --log-format json|text               (env OPERANT_LOG_FORMAT; text on a terminal and under
//                                        `operant run`, JSON otherwise, e.g. in a container)
//   --debug                              a failure's stack, not only its one-line report
//   --webhook-bind-address 127.0.0.1:9443, --webhook-cert-dir <dir>
//                                        the quota webhooks' HTTPS server (:9443 in a Pod); without
//                                        a cert dir operant makes and keeps the certificate in a
//                                        Secret of the operator's namespace
//   --enable-webhooks false              (env ENABLE_WEBHOOKS) run without the webhooks, e.g. on
//                                        this machine, where the API server cannot call them
// A failure ends the process with status 1 and one line: error [Code]: what happened and
// what to do (the codes: docs/errors.md in operant's repository).
import { runOperator } from "operant";
import operator, { configureWebhooks, shareManagerClient, webhookFlags } from "./operator.ts";

await runOperator(operator, { argv: process.argv, env: process.env, exitOnFailure: true, flags: webhookFlags, configure: configureWebhooks, onStart: shareManagerClient });
