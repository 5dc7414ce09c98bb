// The operator's status page, served by every replica on the metrics
// server: who this replica is, how the leader is elected, who holds the lock
// and since when (as this replica last observed it), whether this replica
// leads, and each controller's queue and counters. `GET /status` answers
// JSON; `GET /` a small self-contained HTML page (no external assets).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ControllerStatus } from "../controller/runner.ts";
import type { Route } from "../manager/http-server.ts";
import type { Manager } from "../manager/manager.ts";

/**
 * What the status page shows, as `GET /status` returns it.
 *
 * @example
 * ```ts
 * const report: StatusReport = await (await fetch("http://op-1:8080/status")).json();
 * if (report.leading) console.log(`${report.identity} leads since ${report.holderSince}`);
 * ```
 */
export interface StatusReport {
  /** The manager's name (the operator's). */
  operator: string;
  /** This replica's identity in the election (else its instance name). */
  identity: string;
  /** `lease`, `leader-for-life`, or `none` (no election: this replica always leads). */
  mode: string;
  /** Whether this replica leads now. */
  leading: boolean;
  /** The lock (`Lease ns/name`, `ConfigMap ns/name`), if any. */
  lock: string | null;
  /** Who holds the lock, as last observed by this replica. */
  holder: string | null;
  /** Since when the holder holds it (its acquireTime or the lock's creation). */
  holderSince: string | null;
  /** When this replica last saw the lock change. */
  observedAt: string | null;
  /** Everything the elector reports (its `describe()`). */
  election: Record<string, unknown>;
  controllers: ControllerStatus[];
  /** When this report was made. */
  generatedAt: string;
}

const text = (v: unknown): string | null => (typeof v === "string" && v !== "" ? v : null);

/**
 * The status of a manager and its election, now.
 *
 * @example
 * ```ts
 * const { leading, holder } = statusReport(manager);
 * ```
 */
export function statusReport(manager: Manager): StatusReport {
  const elector = manager.leaderElection;
  const election = elector?.describe() ?? {};
  const leading = manager.leading && (elector ? election.leading !== false : true);
  return {
    operator: manager.name,
    identity: text(election.identity) ?? manager.instanceName,
    mode: elector?.mode ?? "none",
    leading,
    lock: text(election.lock),
    holder: elector ? text(election.holder) : leading ? manager.instanceName : null,
    holderSince: text(election.holderSince),
    observedAt: text(election.observedAt),
    election,
    controllers: manager.controllers(),
    generatedAt: new Date().toISOString(),
  };
}

function escape(s: unknown): string {
  const v = s === null || s === undefined ? "—" : typeof s === "string" ? s : JSON.stringify(s);
  return v.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/**
 * Renders a report as a small HTML page (inline style, no scripts or
 * external assets; it reloads itself every 5 seconds).
 *
 * @example
 * ```ts
 * res.end(renderStatusPage(statusReport(manager)));
 * ```
 */
export function renderStatusPage(report: StatusReport): string {
  const row = (k: string, v: unknown) => `<tr><th>${escape(k)}</th><td>${escape(v)}</td></tr>`;
  const known = new Set(["mode", "identity", "lock", "leading", "holder", "holderSince", "observedAt"]);
  const extra = Object.entries(report.election).filter(([k]) => !known.has(k));
  const controllers = report.controllers.length
    ? report.controllers
        .map(
          (c) =>
            `<tr><td>${escape(c.name)}</td><td>${escape(c.kind)}</td><td class="n">${c.queueDepth}</td><td class="n">${c.inFlight}</td><td class="n">${c.reconciles}</td><td class="n">${c.errors}</td><td>${c.lastError ? `${escape(c.lastError.at)} ${escape(c.lastError.key)}: ${escape(c.lastError.message)}` : "—"}</td></tr>`,
        )
        .join("\n")
    : `<tr><td colspan="7">no controllers</td></tr>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<title>${escape(report.operator)}: ${report.leading ? "leader" : "standby"}</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin-bottom: 1.5em; }
th, td { text-align: left; padding: .25em .8em; border-bottom: 1px solid #ddd; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: .1em .6em; border-radius: .8em; color: #fff; background: ${report.leading ? "#2a7d2a" : "#777"}; }
</style>
</head>
<body>
<h1>${escape(report.operator)} <span class="badge">${report.leading ? "leader" : "standby"}</span></h1>
<h2>This replica</h2>
<table>
${row("identity", report.identity)}
${row("leads", report.leading ? "yes" : "no")}
${row("election", report.mode)}
${row("lock", report.lock)}
${row("holder", report.holder)}
${row("holder since", report.holderSince)}
${row("lock last seen changing", report.observedAt)}
${extra.map(([k, v]) => row(k, v)).join("\n")}
</table>
<h2>Controllers</h2>
<table>
<tr><th>controller</th><th>kind</th><th>queue depth</th><th>in flight</th><th>reconciles</th><th>errors</th><th>last error</th></tr>
${controllers}
</table>
<p><small>generated ${escape(report.generatedAt)} · <a href="status">JSON</a> · <a href="metrics">metrics</a></small></p>
</body>
</html>
`;
}

function answer(res: ServerResponse, req: IncomingMessage, type: string, body: string): void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.statusCode = 405;
    res.setHeader("allow", "GET, HEAD");
    res.end("method not allowed\n");
    return;
  }
  res.setHeader("content-type", type);
  res.setHeader("cache-control", "no-store");
  res.setHeader("x-content-type-options", "nosniff");
  res.end(req.method === "HEAD" ? undefined : body);
}

/**
 * The status page's routes for a manager's HTTP server: `/` (HTML) and
 * `/status` (JSON). The manager mounts them on its metrics server unless
 * `statusPage: false`.
 *
 * @example
 * ```ts
 * for (const [path, route] of Object.entries(statusPageRoutes(manager))) server.route(path, route);
 * ```
 */
export function statusPageRoutes(manager: Manager): Record<"/" | "/status", Route> {
  return {
    "/": (req, res) => answer(res, req, "text/html; charset=utf-8", renderStatusPage(statusReport(manager))),
    "/status": (req, res) => answer(res, req, "application/json; charset=utf-8", `${JSON.stringify(statusReport(manager), null, 2)}\n`),
  };
}
