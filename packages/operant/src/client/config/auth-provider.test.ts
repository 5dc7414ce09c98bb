// Legacy auth-provider users: gcp/azure cmd-path run here (no shell, off the event loop), oidc through client-node.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { isOperantError } from "../../core/errors.ts";
import { clusterConfigFromKubeconfig } from "./resolve.ts";

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), "operant-authprovider-"));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const withProvider = (provider: Record<string, unknown>, options: { credentialPluginTimeoutMs?: number } = {}) =>
  clusterConfigFromKubeconfig(
    {
      "current-context": "c",
      clusters: [{ name: "c", cluster: { server: "https://x:6443" } }],
      users: [{ name: "legacy", user: { "auth-provider": provider } }],
      contexts: [{ name: "c", context: { cluster: "c", user: "legacy" } }],
    },
    options,
  );

const future = () => new Date(Date.now() + 3_600_000).toISOString();
const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");

describe("auth-provider", () => {
  test("gcp: a cached access-token is used as is", async () => {
    const config = await withProvider({ name: "gcp", config: { "access-token": "ya29.cached", expiry: future() } });
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer ya29.cached" });
  });

  test("gcp: cmd-path is run for a token, and again after invalidate()", async () => {
    const script = join(root, "gcloud.mjs");
    await writeFile(
      script,
      `import { readdirSync, writeFileSync } from "node:fs";
const dir = process.argv[2];
const run = readdirSync(dir).filter((f) => f.startsWith("run-")).length + 1;
writeFileSync(dir + "/run-" + run, "");
process.stdout.write(JSON.stringify({ credential: { access_token: "ya29.run" + run, token_expiry: new Date(Date.now() + 3600000).toISOString() } }));`,
    );
    const state = await mkdtemp(join(root, "state-"));
    const config = await withProvider({
      name: "gcp",
      config: { "cmd-path": process.execPath, "cmd-args": `${script} ${state}`, "token-key": "{.credential.access_token}", "expiry-key": "{.credential.token_expiry}" },
    });
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer ya29.run1" });
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer ya29.run1" });
    config.credentials.invalidate();
    assert.deepEqual(await config.credentials.get(), { authorization: "Bearer ya29.run2" });
    assert.equal((await readdir(state)).length, 2);
  });

  test("gcp/azure: cmd-path runs without a shell (cmd-args are plain words) and without blocking the event loop", async () => {
    const script = join(root, "slow-gcloud.mjs");
    await writeFile(
      script,
      `const args = process.argv.slice(2);
setTimeout(() => process.stdout.write(JSON.stringify({ access_token: "ya29." + args.length + "-args", token_expiry: new Date(Date.now() + 3600000).toISOString(), args })), 1000);`,
    );
    const marker = join(root, "shell-ran");
    for (const name of ["gcp", "azure"]) {
      const config = await withProvider({ name, config: { "cmd-path": process.execPath, "cmd-args": `${script} $(touch ${marker}) ;touch ${marker}` } });
      let ticks = 0;
      const timer = setInterval(() => ticks++, 50);
      try {
        assert.deepEqual(await config.credentials.get(), { authorization: "Bearer ya29.4-args" });
      } finally {
        clearInterval(timer);
      }
      assert.ok(ticks >= 2, `${name}: timers ran ${ticks} times during a 1 s cmd-path run (execSync blocked them all)`);
      await assert.rejects(readdir(marker), { code: "ENOENT" }, "a shell ran cmd-args");
    }
  });

  test("gcp: a cmd-path that never answers is killed after the timeout (CredentialPluginTimeout); the next call runs it again", { timeout: 60_000 }, async () => {
    const script = join(root, "hang.mjs");
    await writeFile(script, `import { appendFileSync } from "node:fs"; appendFileSync(process.argv[2], "run\\n"); setInterval(() => {}, 1000);`);
    const log = join(root, "hang.log");
    const config = await withProvider({ name: "gcp", config: { "cmd-path": process.execPath, "cmd-args": `${script} ${log}` } }, { credentialPluginTimeoutMs: 300 });
    for (let i = 0; i < 2; i++) {
      await assert.rejects(config.credentials.get(), (err) => isOperantError(err, "CredentialPluginTimeout") && /auth-provider "gcp" of user "legacy".*did not finish within 0\.3 s and was killed/.test(err.message));
    }
    assert.equal((await readFile(log, "utf8")).split("\n").filter(Boolean).length, 2);
  });

  test("gcp: an expired token without cmd-path fails with CredentialPluginFailed", async () => {
    const config = await withProvider({ name: "gcp", config: { "access-token": "old", expiry: "2020-01-01T00:00:00Z" } });
    await assert.rejects(config.credentials.get(), (err) => isOperantError(err, "CredentialPluginFailed") && /auth-provider "gcp" of user "legacy"/.test(err.message));
  });

  test("oidc: an unexpired id-token is sent (client-node's OpenIDConnectAuth, loaded on demand)", async () => {
    const idToken = `${b64url({ alg: "none" })}.${b64url({ iss: "https://issuer", exp: Math.floor(Date.now() / 1000) + 3600 })}.sig`;
    const config = await withProvider({ name: "oidc", config: { "id-token": idToken, "client-id": "kubectl", "idp-issuer-url": "https://issuer" } });
    assert.deepEqual(await config.credentials.get(), { authorization: `Bearer ${idToken}` });
  });
});
