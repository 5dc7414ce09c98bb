// Runs the Gordon operator: `npm start -- --watch-namespace default`. Its
// conversion webhook (v1alpha1 ⇄ v1) is served on --webhook-bind-address
// (127.0.0.1:9443; :9443 in a Pod) with operant-managed certificates, or those
// of --webhook-cert-dir; `--enable-webhooks false` (env ENABLE_WEBHOOKS) runs
// without it, e.g. on this machine, where the API server cannot call it.
import { runOperator } from "operant";
import operator, { configureWebhooks, webhookFlags } from "./operator.ts";

await runOperator(operator, { argv: process.argv, env: process.env, exitOnFailure: true, flags: webhookFlags, configure: configureWebhooks });
