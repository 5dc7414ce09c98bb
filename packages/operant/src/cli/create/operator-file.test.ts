import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isOperantError } from "../../core/errors.ts";
import { operatorTs } from "../init/templates.ts";
import { wireIntoOperator, type OperatorFileAddition } from "./operator-file.ts";

const memcached: OperatorFileAddition[] = [
  { list: "resources", name: "Memcached", from: "./api/memcached.ts" },
  { list: "controllers", name: "memcachedController", from: "./controllers/memcached.ts" },
];
const backup: OperatorFileAddition[] = [
  { list: "resources", name: "Backup", from: "./api/backup.ts" },
  { list: "controllers", name: "backupController", from: "./controllers/backup.ts" },
];

describe("wireIntoOperator", () => {
  test("wires the first kind into the file init writes, then a second one", () => {
    const initial = operatorTs({ name: "memcached-operator", domain: "example.com", operantDependency: "^0.1.0", typeboxRange: "^1.4.3" });
    const once = wireIntoOperator(initial, memcached);
    assert.match(once, /import \{ defineOperator \} from "operant";\nimport \{ Memcached \} from "\.\/api\/memcached\.ts";\nimport \{ memcachedController \} from "\.\/controllers\/memcached\.ts";\n\nexport default/);
    assert.match(once, /resources: \[Memcached\],\n {2}controllers: \[memcachedController\],/);
    const twice = wireIntoOperator(once, backup);
    assert.match(twice, /resources: \[Memcached, Backup\],\n {2}controllers: \[memcachedController, backupController\],/);
    assert.match(twice, /import \{ memcachedController \} from "\.\/controllers\/memcached\.ts";\nimport \{ Backup \} from "\.\/api\/backup\.ts";\nimport \{ backupController \} from "\.\/controllers\/backup\.ts";\n/);
    assert.equal(wireIntoOperator(twice, backup), twice, "idempotent");
  });

  test("follows a multi-line layout, with or without trailing commas, and skips comments and nested brackets", () => {
    const src = `import { defineOperator } from "operant";
import { Other } from "./api/other.ts";

export default defineOperator({
  name: "x",
  resources: [
    Other, // the first one
  ],
  controllers: [
    Controller.for(Other).permissions({ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }).reconcile(() => undefined)
  ],
});
`;
    const out = wireIntoOperator(src, memcached);
    assert.match(out, /resources: \[\n {4}Other, \/\/ the first one\n {4}Memcached,\n {2}\],/);
    assert.match(out, /verbs: \["get"\] \}\)\.reconcile\(\(\) => undefined\),\n {4}memcachedController,\n {2}\],/);
    assert.match(out, /import \{ Other \} from "\.\/api\/other\.ts";\nimport \{ Memcached \}/);
  });

  test("an empty multi-line list gets an indented entry", () => {
    const out = wireIntoOperator(`import { defineOperator } from "operant";\nexport default defineOperator({\n  name: "x",\n  resources: [\n  ],\n  controllers: [],\n});\n`, memcached);
    assert.match(out, /resources: \[\n {4}Memcached,\n {2}\],\n {2}controllers: \[memcachedController\],/);
  });

  test("refuses a file without the expected shape and says what to add by hand", () => {
    const noList = `import { defineOperator } from "operant";\nimport { all } from "./all.ts";\nexport default defineOperator({ name: "x", ...all });\n`;
    assert.throws(
      () => wireIntoOperator(noList, memcached),
      (e) => isOperantError(e, "OperatorFileShape") && /has no `resources: \[ … \]` list in defineOperator/.test(e.message) && /import \{ Memcached \} from "\.\/api\/memcached\.ts"; and add Memcached to resources/.test(e.message),
    );
    assert.throws(() => wireIntoOperator(`export default makeOperator();\n`, memcached), (e) => isOperantError(e, "OperatorFileShape") && /has 0 defineOperator/.test(e.message));
    const two = `import { defineOperator } from "operant";\nexport const a = defineOperator({ name: "a", resources: [], controllers: [] });\nexport default defineOperator({ name: "b", resources: [], controllers: [] });\n`;
    assert.throws(() => wireIntoOperator(two, memcached), (e) => isOperantError(e, "OperatorFileShape") && /has 2/.test(e.message));
  });
});
