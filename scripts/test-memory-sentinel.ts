// Loaded (--import) into every test file's process by `npm test`, beside the
// file guard: a test process whose memory runs away says where, before the
// heap cap or the machine kills it. Twice in loaded full runs a test file grew
// to 8–20 GB within a minute, and nothing told what held the memory.
//
// V8's sampling heap profiler runs from the start (one sample per MiB
// allocated on average: no measurable cost); it keeps only samples whose
// objects are still alive, so its profile is what holds the heap. When the
// process's resident memory first passes the report threshold, the top
// allocation sites (by live bytes, with the stack that reached them), the
// memory breakdown, the tests running and the open handles go to stderr.
// Past the stop threshold the file is stopped with that report, naming itself.
//
//   OPERANT_TEST_MEMORY_REPORT_MB  resident MB at which the report is written (default 2048)
//   OPERANT_TEST_MEMORY_STOP_MB    resident MB at which the file is stopped (default 6144)
import { Session } from "node:inspector/promises";
import { relative } from "node:path";
import { running } from "./test-file-guard.ts";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  callFrame: CallFrame;
  selfSize: number;
  children: ProfileNode[];
}

/** Live bytes per allocation site (function at url:line), each with the heaviest stack that reached it. */
export function allocationSites(head: ProfileNode, top: number): { site: string; bytes: number; stack: string[] }[] {
  const where = (f: CallFrame) => `${f.functionName || "(anonymous)"} ${f.url ? `${relative(process.cwd(), f.url.replace(/^file:\/\//, ""))}:${f.lineNumber + 1}` : "(native)"}`;
  const sites = new Map<string, { bytes: number; heaviest: number; stack: string[] }>();
  const pending: { node: ProfileNode; path: string[] }[] = [{ node: head, path: [] }];
  while (pending.length > 0) {
    const { node, path } = pending.pop()!;
    const here = node === head ? path : [...path, where(node.callFrame)];
    if (node.selfSize > 0) {
      const key = here.at(-1) ?? "(root)";
      const s = sites.get(key) ?? { bytes: 0, heaviest: 0, stack: [] };
      s.bytes += node.selfSize;
      if (node.selfSize > s.heaviest) Object.assign(s, { heaviest: node.selfSize, stack: here.slice(-10).reverse() });
      sites.set(key, s);
    }
    for (const child of node.children) pending.push({ node: child, path: here });
  }
  return [...sites]
    .map(([site, s]) => ({ site, bytes: s.bytes, stack: s.stack }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}

if (process.env.NODE_TEST_CONTEXT) {
  const file = relative(process.cwd(), process.argv[1] ?? "?");
  const mb = (name: string, fallback: number) => {
    const v = Number(process.env[name]);
    return (Number.isFinite(v) && v > 0 ? v : fallback) * 1024 * 1024;
  };
  const reportAt = mb("OPERANT_TEST_MEMORY_REPORT_MB", 2048);
  const stopAt = mb("OPERANT_TEST_MEMORY_STOP_MB", 6144);

  const session = new Session();
  session.connect();
  const sampling = session.post("HeapProfiler.startSampling", { samplingInterval: 1024 * 1024 }).catch(() => undefined);
  const inMb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;

  const report = async (why: string) => {
    await sampling;
    const m = process.memoryUsage();
    let sites: string;
    try {
      const { profile } = (await session.post("HeapProfiler.getSamplingProfile")) as unknown as { profile: { head: ProfileNode } };
      sites = allocationSites(profile.head, 12)
        .map((s) => `  ${inMb(s.bytes).padStart(8)}  ${s.site}\n${s.stack.slice(1, 6).map((f) => `              ← ${f}`).join("\n")}`)
        .join("\n");
    } catch (err) {
      sites = `  (sampling profile unavailable: ${(err as Error).message})`;
    }
    process.stderr.write(
      `\n⚠ ${file}: ${why}\n` +
        `memory: rss ${inMb(m.rss)}, heap used ${inMb(m.heapUsed)} of ${inMb(m.heapTotal)}, external ${inMb(m.external)} (array buffers ${inMb(m.arrayBuffers)})\n` +
        `tests running: ${[...running.keys()].join("; ") || "none"}\n` +
        `open handles: ${process.getActiveResourcesInfo().length} (${[...new Set(process.getActiveResourcesInfo())].join(", ")})\n` +
        `live JavaScript allocations by site (sampled; heaviest stack under each):\n${sites}\n`,
    );
  };

  let reported = false;
  let busy = false;
  setInterval(() => {
    if (busy) return;
    const rss = process.memoryUsage.rss();
    if (rss >= stopAt) {
      busy = true;
      void report(`resident memory ${inMb(rss)} passed ${inMb(stopAt)} (OPERANT_TEST_MEMORY_STOP_MB): the file is stopped`).finally(() => process.exit(1));
    } else if (rss >= reportAt && !reported) {
      reported = busy = true;
      void report(`resident memory ${inMb(rss)} passed ${inMb(reportAt)} (OPERANT_TEST_MEMORY_REPORT_MB); the run goes on`).finally(() => (busy = false));
    }
  }, 1000).unref();
}
