import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { pino } from "pino";
import { OperantError } from "../core/errors.ts";
import { chooseLogFormat, describeFailure, failureLine, formatLogLine, reportFailure, textLogDestination } from "./log-format.ts";

/** What a pino logger writes through textLogDestination. */
function textLines(log: (l: ReturnType<typeof pino>) => void): string[] {
  const out: string[] = [];
  log(pino({ level: "debug", base: { operator: "demo" } }, textLogDestination({ write: (s: string) => out.push(s) })));
  return out;
}

describe("text logs", () => {
  test("one readable line per entry: time, level, message, then key=value (operator, pid, hostname left out)", () => {
    const [line] = textLines((l) => l.info({ health: "127.0.0.1:8081", controllers: ["memcached"], namespaces: "all" }, "manager starting"));
    assert.match(line!, /^\d\d:\d\d:\d\d\.\d{3} INFO {2}manager starting health=127\.0\.0\.1:8081 controllers=\["memcached"\] namespaces=all\n$/);
    assert.doesNotMatch(line!, /operator=|pid=|hostname=/);
  });

  test("strings that need it are quoted; levels are named; a stack goes on indented lines after", () => {
    const lines = textLines((l) => {
      l.warn({ reason: "two words", key: "a=b" }, "careful");
      l.debug({}, "detail");
      l.error({ stack: "Error: x\n    at f (a.ts:1:1)" }, "failed");
    });
    assert.match(lines[0]!, / WARN {2}careful reason="two words" key="a=b"\n$/);
    assert.match(lines[1]!, / DEBUG detail\n$/);
    assert.match(lines[2]!, / ERROR failed\n {4}Error: x\n {8}at f \(a\.ts:1:1\)\n$/);
  });

  test("formatLogLine never throws and passes through what is not a pino line", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.record({ level: fc.integer(), time: fc.integer({ min: 0, max: 4e12 }), msg: fc.string(), extra: fc.jsonValue() }).map((o) => JSON.stringify(o))), (line) => {
        const out = formatLogLine(line);
        assert.equal(typeof out, "string");
        let entry: unknown;
        try {
          entry = JSON.parse(line);
        } catch {
          entry = undefined;
        }
        const isPino = typeof entry === "object" && entry !== null && typeof (entry as { level?: unknown }).level === "number";
        if (!isPino) assert.equal(out, line);
        else assert.ok(out.endsWith("\n"));
      }),
      { seed: 15, numRuns: 300 },
    );
  });

  test("the format: --log-format, else OPERANT_LOG_FORMAT, else text on a terminal and json otherwise", () => {
    assert.equal(chooseLogFormat("json", { OPERANT_LOG_FORMAT: "text" }, true), "json");
    assert.equal(chooseLogFormat(undefined, { OPERANT_LOG_FORMAT: "text" }, false), "text");
    assert.equal(chooseLogFormat(undefined, {}, true), "text");
    assert.equal(chooseLogFormat(undefined, {}, false), "json");
  });
});

describe("failures", () => {
  test("an OperantError: its code and message, on one line", () => {
    assert.equal(failureLine(new OperantError("NotAProject", "/tmp is not in an operant project. Create one with `operant init`.")), "error [NotAProject]: /tmp is not in an operant project. Create one with `operant init`.");
  });

  test("any other error: Node's code or Unexpected, its first line, and a pointer to --debug", () => {
    const enoent = Object.assign(new Error("ENOENT: no such file, open 'x'\nmore"), { code: "ENOENT" });
    assert.equal(failureLine(enoent), "error [ENOENT]: ENOENT: no such file, open 'x' — an unexpected failure: run again with --debug for its stack, and report it if the cause is not yours");
    assert.equal(describeFailure(new TypeError("x is not a function")).code, "Unexpected");
    assert.equal(describeFailure("a string").code, "Unexpected");
  });

  test("reported as one stderr line in text, one JSON log line in json; the stack only with debug", () => {
    const err = new OperantError("KubeconfigNotFound", "no kubeconfig. Run operant cluster up.");
    const written: string[] = [];
    const stderr = { write: (s: string) => written.push(s) };
    reportFailure(err, { format: "text", debug: false, stderr });
    assert.deepEqual(written, ["error [KubeconfigNotFound]: no kubeconfig. Run operant cluster up.\n"]);
    written.length = 0;
    reportFailure(err, { format: "text", debug: true, stderr });
    assert.equal(written.length, 2);
    assert.match(written[1]!, /^OperantError: no kubeconfig/);

    const json: string[] = [];
    const logger = pino({ base: { operator: "demo" } }, { write: (s: string) => json.push(s) });
    reportFailure(err, { format: "json", logger, debug: false, stderr });
    assert.equal(json.length, 1);
    const entry = JSON.parse(json[0]!) as Record<string, unknown>;
    assert.equal(entry.level, 50);
    assert.equal(entry.code, "KubeconfigNotFound");
    assert.equal(entry.msg, "error [KubeconfigNotFound]: no kubeconfig. Run operant cluster up.");
    assert.equal(entry.stack, undefined);
  });
});
