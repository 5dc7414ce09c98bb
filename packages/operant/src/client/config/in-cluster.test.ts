import assert from "node:assert/strict";
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isOperantError } from "../../core/errors.ts";
import { sleep } from "../../core/time.ts";
import { inClusterConfig, isInCluster } from "./in-cluster.ts";

const CA = "-----BEGIN CERTIFICATE-----\nY2x1c3Rlci1jYQ==\n-----END CERTIFICATE-----\n";
const env = { KUBERNETES_SERVICE_HOST: "10.96.0.1", KUBERNETES_SERVICE_PORT: "443" };

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), "operant-incluster-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/**
 * A ServiceAccount directory laid out like the kubelet's projected volume:
 * `token` → `..data/token`, `..data` → a timestamped directory, rotated by
 * atomically swapping the `..data` link.
 */
async function projectedVolume(name: string, files: Record<string, string>): Promise<{ dir: string; rotate: (token: string) => Promise<void> }> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  let generation = 0;
  const publish = async (contents: Record<string, string>) => {
    const ts = `..${++generation}`;
    await mkdir(join(dir, ts));
    for (const [f, c] of Object.entries(contents)) await writeFile(join(dir, ts, f), c);
    await symlink(ts, join(dir, "..data_tmp"));
    await rename(join(dir, "..data_tmp"), join(dir, "..data"));
  };
  await publish(files);
  for (const f of Object.keys(files)) await symlink(join("..data", f), join(dir, f));
  return { dir, rotate: (token) => publish({ ...files, token }) };
}

describe("inClusterConfig", () => {
  test("server from the Service variables, CA, token and namespace from the ServiceAccount directory", async () => {
    const { dir } = await projectedVolume("basic", { token: "token-1\n", "ca.crt": CA, namespace: "operators\n" });
    const config = await inClusterConfig({ env, serviceAccountDir: dir });
    assert.equal(config.server, "https://10.96.0.1:443");
    assert.deepEqual(config.tls, { ca: CA });
    assert.equal(config.namespace, "operators");
    assert.equal(config.contextName, undefined);
    assert.match(config.source, /^in-cluster ServiceAccount/);
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer token-1" });
  });

  test("the rotated token is picked up after the refresh interval, not before", async () => {
    const { dir, rotate } = await projectedVolume("rotate", { token: "token-1", "ca.crt": CA });
    const config = await inClusterConfig({ env, serviceAccountDir: dir, tokenRefreshInterval: 150 });
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer token-1" });
    await rotate("token-2");
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer token-1" }, "no disk read per request");
    await sleep(200);
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer token-2" });
  });

  test("invalidate() re-reads the token at once; a vanished file keeps the last token", async () => {
    const { dir, rotate } = await projectedVolume("invalidate", { token: "token-1", "ca.crt": CA });
    const config = await inClusterConfig({ env, serviceAccountDir: dir });
    await config.credentials.get();
    await rotate("token-2");
    config.credentials.invalidate();
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer token-2" });
    await rm(join(dir, "token"));
    config.credentials.invalidate();
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer token-2" });
  });

  test("namespace: POD_NAMESPACE, else the namespace file, else default; IPv6 hosts are bracketed", async () => {
    const { dir } = await projectedVolume("ns", { token: "t", "ca.crt": CA });
    assert.equal((await inClusterConfig({ env, serviceAccountDir: dir })).namespace, "default");
    assert.equal((await inClusterConfig({ env: { ...env, POD_NAMESPACE: "from-env" }, serviceAccountDir: dir })).namespace, "from-env");
    const v6 = await inClusterConfig({ env: { KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" }, serviceAccountDir: dir });
    assert.equal(v6.server, "https://[fd00::1]:443");
  });

  test("incomplete environments are reported with what is missing", async () => {
    const { dir } = await projectedVolume("incomplete", { token: "t", "ca.crt": CA });
    assert.equal(isInCluster({ KUBERNETES_SERVICE_HOST: "10.0.0.1" }), false);
    assert.equal(isInCluster(env), true);
    await assert.rejects(
      inClusterConfig({ env: { KUBERNETES_SERVICE_HOST: "10.0.0.1" }, serviceAccountDir: dir }),
      (err) => isOperantError(err, "InClusterConfigMissing") && /KUBERNETES_SERVICE_PORT is not set/.test(err.message),
    );
    const noToken = join(root, "no-token");
    await mkdir(noToken);
    await writeFile(join(noToken, "ca.crt"), CA);
    await assert.rejects(
      inClusterConfig({ env, serviceAccountDir: noToken }),
      (err) => isOperantError(err, "InClusterConfigMissing") && err.message.includes(`token ${join(noToken, "token")} does not exist`) && /automountServiceAccountToken/.test(err.message),
    );
    const noCa = join(root, "no-ca");
    await mkdir(noCa);
    await writeFile(join(noCa, "token"), "t");
    await assert.rejects(inClusterConfig({ env, serviceAccountDir: noCa }), (err) => isOperantError(err, "InClusterConfigMissing") && err.message.includes("ca.crt"));
  });
});
