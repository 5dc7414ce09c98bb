// Worker: operant's WebhookServer serving the benchmark's validating webhook
// (/validate) and conversion (/convert) on 127.0.0.1:<port>, with the
// certificate in <certDir>/tls.crt and tls.key — the same as the
// controller-runtime peer's webhook mode. Prints {"ready":true,"pid":…} once
// listening; exits when stdin closes.
//
//   node bench/peers/operant/webhook.ts <port> <certDir>
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { staticCertificates, WebhookServer } from "../../../packages/operant/src/webhook/index.ts";
import { gadgetConversion, validateGadget } from "./gadget.ts";

const [port, certDir] = process.argv.slice(2);
const certificates = staticCertificates({ certPem: readFileSync(join(certDir!, "tls.crt"), "utf8"), keyPem: readFileSync(join(certDir!, "tls.key"), "utf8") });
const server = new WebhookServer({ webhooks: [validateGadget], conversions: [gadgetConversion], certificates, bindAddress: `127.0.0.1:${port}` });
const stop = new AbortController();
await server.listen(stop.signal);
process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
process.stdin.resume();
process.stdin.on("end", () => {
  stop.abort();
  void server.close();
});
