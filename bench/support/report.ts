// Shared by the benchmarks: statistics, Markdown tables, and the machine a
// run happened on (figures mean nothing without it).
import os from "node:os";
import { readFileSync } from "node:fs";

/** Median of a list of numbers (mean of the middle two for even lengths). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The p-th percentile (0–100), nearest-rank. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** A Markdown table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** 1/5/15-minute load averages, for judging how busy the shared machine was. */
export function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(" / ");
}

/** Rows describing this machine: CPU, memory, OS, Node.js, load, date. */
export function machineRows(): [string, string][] {
  const cpus = os.cpus();
  let osRelease = os.type();
  try {
    osRelease = readFileSync("/etc/os-release", "utf8").match(/^PRETTY_NAME="?([^"\n]*)"?/m)?.[1] ?? osRelease;
  } catch {
    /* not Linux */
  }
  return [
    ["CPU", `${cpus[0]?.model ?? "unknown"} × ${cpus.length} (available parallelism ${os.availableParallelism()})`],
    ["Memory", `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ["OS", `${osRelease}, ${os.type()} ${os.release()} ${os.arch()}`],
    ["Node.js", process.version],
    ["Load average at start (1/5/15 min)", loadAverage()],
    ["Date", new Date().toISOString()],
  ];
}
