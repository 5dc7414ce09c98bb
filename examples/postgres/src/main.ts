// Runs the postgres operator: standard flags (--kubeconfig, --watch-namespace,
// --leader-elect, …) plus --postgres-image and --resync-period.
import { runOperator } from "operant";
import operator, { configureFromFlags, operatorFlags } from "./operator.ts";

await runOperator(operator, { argv: process.argv, env: process.env, exitOnFailure: true, flags: operatorFlags, configure: configureFromFlags });
