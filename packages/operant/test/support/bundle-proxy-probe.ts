// Bundled by the `operant build` unit test: a client whose kubeconfig (argv[2])
// names a proxy, so the bundle constructs undici's proxy agents — which a bundle
// evaluates only on first use — and sends a request through them. Prints the
// error code the request failed with (the proxy's port is closed).
import { Client, isOperantError } from "operant";
import { ConfigMap } from "operant/kinds";

const client = await Client.connect({ kubeconfig: process.argv[2]!, qps: Infinity });
try {
  await client.get(ConfigMap, { namespace: "default", name: "probe" });
  console.log("answered");
} catch (err) {
  console.log(isOperantError(err) ? `${err.code}: ${err.message}` : `not an OperantError: ${String(err)}`);
} finally {
  await client.close();
}
