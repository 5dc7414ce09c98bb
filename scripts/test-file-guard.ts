// Loaded (--import) into every test file's process by `npm test`: a test file
// that runs too long, or keeps running after its tests ended, is stopped with
// a message naming the tests still running and the kinds of handles left open
// (timers, sockets, child processes). Without it a file whose test outlived a
// timeout kept its process alive (a manager, an elector, an interval) and held
// the whole run until something killed it from outside.
//
//   OPERANT_TEST_FILE_TIMEOUT  seconds a test file may run in all (default 1200)
//   OPERANT_TEST_LINGER        seconds a file may stay alive after its tests ended (default 60)
import { after, afterEach, beforeEach } from "node:test";
import { relative } from "node:path";

/** The tests running in this process, by full name, with when each started (also read by test-memory-sentinel.ts). */
export const running = new Map<string, number>();

// Only in the processes that run test files (node:test marks them); not in the runner that loads this too.
if (process.env.NODE_TEST_CONTEXT) {
  const file = relative(process.cwd(), process.argv[1] ?? "?");
  const seconds = (name: string, fallback: number) => {
    const v = Number(process.env[name]);
    return Number.isFinite(v) && v > 0 ? v : fallback;
  };
  const budget = seconds("OPERANT_TEST_FILE_TIMEOUT", 1200);
  const linger = seconds("OPERANT_TEST_LINGER", 60);
  beforeEach((t) => void running.set(t.fullName, Date.now()));
  afterEach((t) => void running.delete(t.fullName));

  const tally = (resources: string[]) => {
    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r, (counts.get(r) ?? 0) + 1);
    return counts;
  };
  // What the process holds before any test (its stdio pipes to the runner) is not what a test left open.
  const baseline = tally(process.getActiveResourcesInfo());
  /** What keeps the event loop alive beyond the baseline, e.g. "2 × TCPWRAP, 1 × Timeout". */
  const openHandles = () =>
    [...tally(process.getActiveResourcesInfo())]
      .map(([k, n]) => [k, n - (baseline.get(k) ?? 0)] as const)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${n} × ${k}`)
      .join(", ") || "nothing visible (a pending native call?)";
  const stop = (why: string) => {
    const tests = [...running].map(([name, since]) => `  - ${name} (running for ${Math.round((Date.now() - since) / 1000)} s)`);
    process.stderr.write(
      `\n✖ ${file}: ${why}\n` +
        (tests.length ? `tests still running:\n${tests.join("\n")}\n` : "no test is running: a hook or a cleanup (t.after/after) did not finish, or something outlived its test\n") +
        `left open: ${openHandles()}\n` +
        "Each test must stop what it started (controllers, managers, electors, informers, watches, servers, child processes, intervals), also when it fails: register the cleanup with t.after() right after starting it.\n",
    );
    process.exit(1);
  };
  setTimeout(() => stop(`still running after ${budget} s (OPERANT_TEST_FILE_TIMEOUT) and stopped`), budget * 1000).unref();
  after(() => {
    setTimeout(() => stop(`its tests ended ${linger} s ago (OPERANT_TEST_LINGER) but the process did not exit, and was stopped`), linger * 1000).unref();
  });
}
