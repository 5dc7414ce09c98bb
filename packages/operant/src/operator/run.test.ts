import assert from "node:assert/strict";
import { test } from "node:test";
import { isOperantError } from "../core/errors.ts";
import { defineOperator } from "./operator.ts";
import { parseOperatorFlags, type OperatorFlagSpec } from "./run.ts";

const op = defineOperator({ name: "demo-operator", controllers: [] });
const image: OperatorFlagSpec = { name: "postgres-image", env: "POSTGRES_IMAGE", default: "postgres:17", description: "image of the Postgres pods" };
const argv = (...rest: string[]) => ["node", "main.ts", ...rest];

test("an operator's own flags: the flag, else its environment variable, else its default", () => {
  assert.equal(parseOperatorFlags(op, argv("--postgres-image", "pg:flag"), { POSTGRES_IMAGE: "pg:env" }, [image]).custom["postgres-image"], "pg:flag");
  assert.equal(parseOperatorFlags(op, argv(), { POSTGRES_IMAGE: "pg:env" }, [image]).custom["postgres-image"], "pg:env");
  assert.equal(parseOperatorFlags(op, argv(), {}, [image]).custom["postgres-image"], "postgres:17");
  assert.equal(parseOperatorFlags(op, argv(), {}, [{ name: "mode", description: "no default" }]).custom.mode, undefined);
});

test("custom flags mix with the standard ones", () => {
  const flags = parseOperatorFlags(op, argv("--watch-namespace", "a,b", "--postgres-image=pg:16", "--log-level", "debug"), {}, [image]);
  assert.deepEqual(flags.watchNamespaces, ["a", "b"]);
  assert.equal(flags.logLevel, "debug");
  assert.deepEqual(flags.custom, { "postgres-image": "pg:16" });
});

test("an undeclared flag is still refused", () => {
  assert.throws(() => parseOperatorFlags(op, argv("--postgres-image", "x"), {}), /unknown option/);
});

test("bad or clashing flag declarations are refused with InvalidArgument", () => {
  for (const name of ["--postgres-image", "PostgresImage", "log-level", "a_b"]) {
    assert.throws(() => parseOperatorFlags(op, argv(), {}, [{ name, description: "x" }]), (err) => isOperantError(err, "InvalidArgument"), name);
  }
  assert.throws(() => parseOperatorFlags(op, argv(), {}, [image, image]), (err) => isOperantError(err, "InvalidArgument") && /declared twice/.test(err.message));
});
