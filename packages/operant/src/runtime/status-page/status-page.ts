// The operator's status page, served by every replica on the metrics
// server: who this replica is, how the leader is elected, who holds the lock
// and since when (as this replica last observed it), whether this replica
// leads, each controller's queue and counters, and the operator's own
// sections (`statusSections`: what only the operator knows, e.g. which agent
// it elected). `GET /status` answers JSON; `GET /` a small self-contained
// HTML page (no external assets).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ControllerStatus } from "../controller/runner.ts";
import type { Cache } from "../cache/cache.ts";

/**
 * What the status page shows, as `GET /status` returns it.
 *
 * @example
 * ```ts
 * const report: StatusReport = await (await fetch("http://127.0.0.1:8082/status")).json();
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
  /** The operator's own sections (`statusSections`), by name; `{}` when it has none. */
  sections: Record<string, StatusSectionReport>;
  /** When this report was made. */
  generatedAt: string;
}

/**
 * What a status section shows: rows (an array of records, rendered as a
 * table with a column per key) or one record (rendered as key/value rows).
 * Values are rendered as text (objects as JSON) and escaped.
 *
 * @example
 * ```ts
 * const rows: StatusSectionData = [{ agent: "ns/agent", leader: "agent-x2x7q", node: "kwok-node-1" }];
 * ```
 */
export type StatusSectionData = Record<string, unknown> | readonly Record<string, unknown>[];

/**
 * A section of the operator's own on the status page (the manager's
 * `statusSections` option): shown on every replica, in `GET /status` under
 * `sections.<name>` and on the HTML page as a table after the election.
 * `collect` runs on each request, so it must be quick and synchronous: read
 * the manager's cache (`manager.cache`, warm on standby replicas too), not
 * the API server. If it throws, the section reports the message as its
 * `error` and the rest of the page is unaffected.
 *
 * @example
 * ```ts
 * const agents: StatusSection = {
 *   name: "agents",
 *   title: "Agent leaders",
 *   collect: (manager) => manager.cache.list(Agent).map((a) => ({ agent: a.metadata.name, leader: a.status?.leader?.pod ?? null })),
 * };
 * new Manager({ statusSections: [agents] });
 * ```
 */
export interface StatusSection {
  /** Key under `sections` in the JSON report; unique per manager (a later section of the same name replaces the earlier). */
  readonly name: string;
  /** Heading on the HTML page (default: `name`). */
  readonly title?: string;
  /** What the section shows now. */
  collect(manager: StatusSectionHost): StatusSectionData;
}

/**
 * One section as `GET /status` reports it (under `sections.<name>`).
 *
 * @example
 * ```ts
 * const { data } = report.sections.agents!;   // as the section's collect() returned it
 * ```
 */
export interface StatusSectionReport {
  /** The section's heading. */
  title: string;
  /** What `collect` returned (`{}` if it threw). */
  data: StatusSectionData;
  /** The message `collect` threw, if it did. */
  error?: string;
}

/**
 * What a {@link StatusSection} may read: the manager's shared cache (warm on
 * standby replicas too) and names. The Manager is one.
 *
 * @example
 * ```ts
 * const collect = (host: StatusSectionHost) => host.cache.list(Agent).length;
 * ```
 */
export interface StatusSectionHost {
  readonly cache: Cache;
  readonly name: string;
  readonly instanceName: string;
}

/**
 * What a status report is made from; the Manager is one (the status page
 * sees no more of it than this).
 *
 * @example
 * ```ts
 * const report = statusReport(manager); // a Manager is a StatusSource
 * ```
 */
export interface StatusSource extends StatusSectionHost {
  /** Whether this process leads (or, without election, has started). */
  readonly leading: boolean;
  /** The elector, if any: its mode and `describe()` (identity, lock, holder, …). */
  readonly leaderElection: {
    readonly mode: string;
    /** What the elector reports of itself: identity, lock, holder, lease timings. */
    describe(): Record<string, unknown>;
  } | undefined;
  /** The live status of every controller (queue depth, reconciles, last error). */
  controllers(): ControllerStatus[];
  readonly statusSections: readonly StatusSection[];
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
export function statusReport(manager: StatusSource): StatusReport {
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
    sections: collectSections(manager),
    generatedAt: new Date().toISOString(),
  };
}

/** Each section's data; a failing section reports its error instead. */
function collectSections(manager: StatusSource): Record<string, StatusSectionReport> {
  const out: Record<string, StatusSectionReport> = {};
  for (const section of manager.statusSections) {
    const title = section.title ?? section.name;
    try {
      out[section.name] = { title, data: section.collect(manager) };
    } catch (err) {
      out[section.name] = { title, data: {}, error: err instanceof Error ? err.message : String(err) };
    }
  }
  return out;
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
  const sections = Object.values(report.sections).map(({ title, data, error }) => {
    let body: string;
    if (error !== undefined) body = row("error", error);
    else if (!Array.isArray(data)) body = Object.entries(data).map(([k, v]) => row(k, v)).join("\n") || `<tr><td>nothing to show</td></tr>`;
    else {
      const rows = data as readonly Record<string, unknown>[];
      const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
      body = rows.length
        ? [`<tr>${columns.map((c) => `<th>${escape(c)}</th>`).join("")}</tr>`, ...rows.map((r) => `<tr>${columns.map((c) => `<td>${escape(r[c])}</td>`).join("")}</tr>`)].join("\n")
        : `<tr><td>none</td></tr>`;
    }
    return `<h2>${escape(title)}</h2>\n<table>\n${body}\n</table>`;
  });
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
${sections.join("\n")}
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
 * The status page's routes for an HTTP server: `/` (HTML) and `/status`
 * (JSON), each rendering what `report` returns at the time of the request.
 * The manager mounts them on its metrics server unless `statusPage: false`.
 *
 * @example
 * ```ts
 * for (const [path, route] of Object.entries(statusPageRoutes(() => statusReport(manager)))) server.route(path, route);
 * ```
 */
export function statusPageRoutes(report: () => StatusReport): Record<"/" | "/status", (req: IncomingMessage, res: ServerResponse) => void | Promise<void>> {
  return {
    "/": (req, res) => answer(res, req, "text/html; charset=utf-8", renderStatusPage(report())),
    "/status": (req, res) => answer(res, req, "application/json; charset=utf-8", `${JSON.stringify(report(), null, 2)}\n`),
  };
}
