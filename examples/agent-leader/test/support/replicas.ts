// Operator replicas for the tests: src/main.ts itself, run as child
// processes (operant/testing's OperatorProcess: `node src/main.ts
// --leader-elect …`), each bound to its own Pod object through
// POD_NAME/POD_NAMESPACE as the Deployment's downward API would bind it. The
// status page's address comes from the "manager starting" line (ports are
// chosen by the OS: ":0").
import { fileURLToPath } from "node:url";
import type { StatusReport } from "operant";
import { OperatorProcess } from "operant/testing";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));

/** How to run one replica. */
export interface ReplicaOptions {
  kubeconfig: string;
  /** Watched namespace (also where the leader-election lock lives). */
  namespace: string;
  /** Name of the replica; with leader-for-life, also the Pod bound through POD_NAME. */
  name: string;
  mode: "leader-for-life" | "lease";
}

/** A row of the operator's "agent-leaders" status section. */
export interface AgentLeaderRow {
  agent: string;
  leader: string | null;
  node: string | null;
  since: string | null;
  labelled: string[];
  ready: string;
}

/** A running operator replica: an {@link OperatorProcess} that serves its status page. */
export class Replica extends OperatorProcess {
  /** host:port of the metrics server. */
  metrics = "";
  /** host:port of the status page (its own loopback listener). */
  statusAddress = "";

  /** Starts a replica and waits until it serves its status page. */
  static async launch(options: ReplicaOptions, timeoutMs = 30_000): Promise<Replica> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ["POD_NAME", "POD_NAMESPACE", "WATCH_NAMESPACE", "KUBECONFIG"]) delete env[k];
    const args = ["--kubeconfig", options.kubeconfig, "--watch-namespace", options.namespace, "--leader-elect", "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0", "--status-bind-address", "127.0.0.1:0"];
    if (options.mode === "leader-for-life") {
      env.POD_NAME = options.name;
      env.POD_NAMESPACE = options.namespace;
    } else {
      args.push("--leader-election-mode", "lease", "--leader-election-namespace", options.namespace, "--leader-election-preset", "fast");
    }
    const r = new Replica({ script: MAIN, args, env, name: options.name });
    const started = await r.waitForLine((l) => l.msg === "manager starting" && typeof l.metrics === "string" && typeof l.status === "string", { timeoutMs, what: "serving its status page" });
    r.metrics = started.metrics as string;
    r.statusAddress = started.status as string;
    return r;
  }

  /** GET /status. */
  async status(): Promise<StatusReport> {
    const res = await fetch(`http://${this.statusAddress}/status`, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`${this.name} /status: ${res.status}`);
    return (await res.json()) as StatusReport;
  }

  /** GET / (the HTML page). */
  async page(): Promise<string> {
    const res = await fetch(`http://${this.statusAddress}/`, { signal: AbortSignal.timeout(5_000) });
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

