// Unit tier of the leader-for-life elector's start: in a cluster (a
// ServiceAccount token is mounted) it refuses to run without POD_NAME, where
// it used to lead at once (two replicas, two leaders); outside a cluster it
// leads at once, as before. No API call is made in either case.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { silentLogger } from "../../core/logger.ts";
import type { ElectionHost } from "../elector.ts";
import { LeaderForLifeElector } from "./leader-for-life-elector.ts";

const host = { client: {}, logger: silentLogger, leading: () => undefined } as unknown as ElectionHost;

test("leader-for-life without POD_NAME: refused in a cluster (LeaderPodNameRequired), leads at once outside one", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "sa-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const outside = new LeaderForLifeElector({ name: "lock", serviceAccountDir: dir });
  const term = await outside.acquire(new AbortController().signal, host);
  assert.equal(term.aborted, false, "outside a cluster: leads at once");
  await outside.release();

  await writeFile(join(dir, "token"), "a-token");
  await writeFile(join(dir, "namespace"), "ops");
  const inside = new LeaderForLifeElector({ name: "lock", serviceAccountDir: dir });
  await assert.rejects(inside.acquire(new AbortController().signal, host), (err: Error & { code?: string }) => {
    assert.equal(err.code, "LeaderPodNameRequired");
    assert.match(err.message, /POD_NAME/);
    return true;
  });
});
