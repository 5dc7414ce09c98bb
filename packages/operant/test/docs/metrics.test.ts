// docs/metrics.md must list every metric operant registers: the metric names
// written as string literals in packages/operant/src (tests excluded) under
// the prefixes operant uses. A new metric without a row fails here.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const src = fileURLToPath(new URL("../../src/", import.meta.url));
const page = readFileSync(fileURLToPath(new URL("../../../../docs/metrics.md", import.meta.url)), "utf8");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [join(dir, e.name)] : []));
}

test("docs/metrics.md lists every metric name in src", () => {
  const names = new Set<string>();
  for (const file of sources(src)) {
    for (const m of readFileSync(file, "utf8").matchAll(/"((?:controller_runtime|workqueue|rest_client|operant_informer|leader_election)_[a-z_]+)"/g)) names.add(m[1]!);
  }
  assert.ok(names.size >= 20, `found ${names.size} metric names: the scan still works`);
  const documented = new Set([...page.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]!));
  assert.deepEqual([...names].filter((n) => !documented.has(n)).sort(), [], "metrics without a row in docs/metrics.md");
  assert.deepEqual([...documented].filter((n) => !names.has(n)).sort(), [], "rows for metrics operant does not register");
});
