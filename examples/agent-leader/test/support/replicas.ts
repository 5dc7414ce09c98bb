// Operator replicas for the tests: src/main.ts itself, run as child
// processes (`node src/main.ts --leader-elect …`), each bound to its own Pod
// object through POD_NAME/POD_NAMESPACE as the Deployment's downward API
// would bind it. Their pino logs are kept; the status page's address comes
// from the "manager starting" line (ports are chosen by the OS: ":0").
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { StatusReport } from "operant";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const EXIT_WITH_PARENT = fileURLToPath(new URL("./exit-with-parent.ts", import.meta.url));

/** How to run one replica. */
export interface ReplicaOptions {
  kubeconfig: string;
  /** Watched namespace (also where the leader-election lock lives). */
  namespace: string;
  /** Name of the replica; with leader-for-life, also the Pod bound through POD_NAME. */
  name: string;
  mode: "leader-for-life" | "lease";
}

/** One pino line. */
export type LogLine = Record<string, unknown> & { msg?: string };

/** A row of the operator's "agent-leaders" status section. */
export interface AgentLeaderRow {
  agent: string;
  leader: string | null;
  node: string | null;
  since: string | null;
  labelled: string[];
  ready: string;
}

/** A running operator replica. */
export class Replica {
  readonly name: string;
  readonly child: ChildProcessWithoutNullStreams;
  readonly lines: LogLine[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr = "";
  /** host:port of the metrics server and status page. */
  metrics = "";

  private constructor(options: ReplicaOptions) {
    this.name = options.name;
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ["POD_NAME", "POD_NAMESPACE", "WATCH_NAMESPACE", "KUBECONFIG"]) delete env[k];
    const args = ["--kubeconfig", options.kubeconfig, "--watch-namespace", options.namespace, "--leader-elect", "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0"];
    if (options.mode === "leader-for-life") {
      env.POD_NAME = options.name;
      env.POD_NAMESPACE = options.namespace;
    } else {
      args.push("--leader-election-mode", "lease", "--leader-election-namespace", options.namespace, "--leader-election-preset", "fast");
    }
    this.child = spawn(process.execPath, ["--import", EXIT_WITH_PARENT, MAIN, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    let buffer = "";
    this.child.stdout.on("data", (d: Buffer) => {
      buffer += d.toString();
      let i: number;
      while ((i = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          this.lines.push({ msg: line });
        }
      }
    });
    this.child.stderr.on("data", (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.on("exit", (code, signal) => resolve({ code, signal })));
  }

  /** Starts a replica and waits until it serves its status page. */
  static async start(options: ReplicaOptions, timeoutMs = 30_000): Promise<Replica> {
    const r = new Replica(options);
    const deadline = Date.now() + timeoutMs;
    while (!r.metrics) {
      const started = r.lines.find((l) => l.msg === "manager starting");
      if (typeof started?.metrics === "string") r.metrics = started.metrics;
      else if (!r.running) throw new Error(`${r.name} exited (${r.child.exitCode ?? r.child.signalCode}) before serving; stderr: ${r.stderr.slice(-2000)}; last lines: ${JSON.stringify(r.lines.slice(-5))}`);
      else if (Date.now() > deadline) throw new Error(`${r.name} did not start within ${timeoutMs} ms; stderr: ${r.stderr.slice(-2000)}`);
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return r;
  }

  /** Whether the process still runs. */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.running) this.child.kill(signal);
  }

  /** GET /status. */
  async status(): Promise<StatusReport> {
    const res = await fetch(`http://${this.metrics}/status`, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`${this.name} /status: ${res.status}`);
    return (await res.json()) as StatusReport;
  }

  /** GET / (the HTML page). */
  async page(): Promise<string> {
    const res = await fetch(`http://${this.metrics}/`, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`${this.name} /: ${res.status}`);
    return res.text();
  }

  /** The agent-leaders rows of this replica's status page. */
  async agentLeaders(): Promise<readonly AgentLeaderRow[]> {
    const section = (await this.status()).sections["agent-leaders"];
    if (!section || section.error) throw new Error(`${this.name}: no agent-leaders section (${section?.error ?? "absent"})`);
    return section.data as unknown as readonly AgentLeaderRow[];
  }
}

/** SIGKILLs every replica still running and waits for them. */
export async function killAll(replicas: Iterable<Replica>): Promise<void> {
  const all = [...replicas];
  for (const r of all) r.kill("SIGKILL");
  await Promise.all(all.map((r) => r.exited));
}
