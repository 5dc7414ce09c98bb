import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, test } from "node:test";
import type { Cache } from "../cache/cache.ts";
import { renderStatusPage, statusReport, statusPageRoutes, type StatusReport, type StatusSection, type StatusSource } from "./status-page.ts";

/** A StatusSource as a Manager that has not started is one: not leading, no controllers. */
const source = (over: { name: string; instanceName: string; leaderElection?: StatusSource["leaderElection"]; statusSections?: readonly StatusSection[] }): StatusSource => ({
  leading: false,
  leaderElection: undefined,
  statusSections: [],
  controllers: () => [],
  get cache(): Cache {
    throw new Error("these sections read no cache");
  },
  ...over,
});

const report = (over: Partial<StatusReport> = {}): StatusReport => ({
  operator: "memcached-operator",
  identity: "op-1_3f9a0c1b2e",
  mode: "lease",
  leading: true,
  lock: "Lease ops/memcached-operator-leader",
  holder: "op-1_3f9a0c1b2e",
  holderSince: "2025-01-01T00:00:00.000000Z",
  observedAt: "2025-01-01T00:00:01.000Z",
  election: { mode: "lease", leaseTransitions: 3, timings: { leaseDuration: 15000 } },
  controllers: [{ name: "memcached", kind: "Memcached", queueDepth: 4, inFlight: 1, reconciles: 120, errors: 2, lastError: { key: "ns/a", message: "boom <b>", at: "2025-01-01T00:00:02.000Z" }, lastReconcileAt: undefined }],
  sections: {},
  generatedAt: "2025-01-01T00:00:03.000Z",
  ...over,
});

describe("status page", () => {
  test("the HTML page shows identity, election, holder and since when, leadership, and each controller's counters", () => {
    const html = renderStatusPage(report());
    for (const s of ["op-1_3f9a0c1b2e", "lease", "Lease ops/memcached-operator-leader", "2025-01-01T00:00:00.000000Z", "2025-01-01T00:00:01.000Z", "leader", ">memcached<", ">4<", ">1<", ">120<", ">2<", "ns/a"]) {
      assert.ok(html.includes(s), `page shows ${s}`);
    }
    assert.match(html, /<th>leads<\/th><td>yes<\/td>/);
    assert.match(html, /<th>leaseTransitions<\/th><td>3<\/td>/, "other election details are listed too");
    assert.match(html, /<th>timings<\/th><td>\{&quot;leaseDuration&quot;:15000\}<\/td>/);
  });

  test("values are escaped, and the page loads nothing from elsewhere", () => {
    const html = renderStatusPage(report({ identity: `<script>alert("x")</script>` }));
    assert.ok(!html.includes("<script>"), "no script element");
    assert.ok(html.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    assert.ok(html.includes("boom &lt;b&gt;"));
    assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, "no external assets");
    assert.doesNotMatch(html, /<link|<img|<script/);
  });

  test("a standby replica and missing values", () => {
    const html = renderStatusPage(report({ leading: false, holder: null, holderSince: null, controllers: [] }));
    assert.match(html, /<th>leads<\/th><td>no<\/td>/);
    assert.match(html, /standby/);
    assert.match(html, /<th>holder<\/th><td>—<\/td>/);
    assert.match(html, /no controllers/);
  });

  test("statusReport takes identity, lock and holder from the elector; without one, the replica is its own leader once leading", () => {
    const elector = {
      mode: "leader-for-life",
      describe: () => ({ identity: "op-2_aa", lock: "ConfigMap ops/lock", holder: "op-1", holderSince: "2025-01-01T00:00:00Z", leading: false }),
    };
    const r = statusReport(source({ name: "m", instanceName: "op-2", leaderElection: elector }));
    assert.deepEqual({ ...r, generatedAt: "" }, {
      operator: "m",
      identity: "op-2_aa",
      mode: "leader-for-life",
      leading: false,
      lock: "ConfigMap ops/lock",
      holder: "op-1",
      holderSince: "2025-01-01T00:00:00Z",
      observedAt: null,
      election: elector.describe(),
      controllers: [],
      sections: {},
      generatedAt: "",
    });
    const alone = statusReport(source({ name: "m", instanceName: "op-3" }));
    assert.equal(alone.mode, "none");
    assert.equal(alone.identity, "op-3");
    assert.equal(alone.leading, false, "not started");
  });

  test("the operator's own sections: collected on each report, in JSON by name and on the page as tables; a failing one shows its error", () => {
    let leader = "agent-a";
    const sections: StatusSection[] = [
      { name: "agents", title: "Agent leaders", collect: () => [{ agent: "ns/web", leader, since: null }, { agent: "ns/db", node: { name: "n1" } }] },
      { name: "summary", collect: (m) => ({ operator: m.name, agents: 2 }) },
      { name: "broken", collect: () => { throw new Error("cache <not> started"); } },
      { name: "empty", collect: () => [] },
    ];
    const manager = source({ name: "agent-operator", instanceName: "op-1", statusSections: sections });
    assert.deepEqual(manager.statusSections, sections);
    const r = statusReport(manager);
    assert.deepEqual(r.sections, {
      agents: { title: "Agent leaders", data: [{ agent: "ns/web", leader: "agent-a", since: null }, { agent: "ns/db", node: { name: "n1" } }] },
      summary: { title: "summary", data: { operator: "agent-operator", agents: 2 } },
      broken: { title: "broken", data: {}, error: "cache <not> started" },
      empty: { title: "empty", data: [] },
    });
    leader = "agent-b";
    assert.equal((statusReport(manager).sections.agents!.data as { leader: string }[])[0]!.leader, "agent-b", "collected anew for each report");

    const html = renderStatusPage(r);
    assert.match(html, /<h2>Agent leaders<\/h2>\n<table>\n<tr><th>agent<\/th><th>leader<\/th><th>since<\/th><th>node<\/th><\/tr>/, "one column per key, in order of appearance");
    assert.match(html, /<tr><td>ns\/web<\/td><td>agent-a<\/td><td>—<\/td><td>—<\/td><\/tr>/);
    assert.match(html, /<tr><td>ns\/db<\/td><td>—<\/td><td>—<\/td><td>\{&quot;name&quot;:&quot;n1&quot;\}<\/td><\/tr>/);
    assert.match(html, /<h2>summary<\/h2>\n<table>\n<tr><th>operator<\/th><td>agent-operator<\/td><\/tr>\n<tr><th>agents<\/th><td>2<\/td><\/tr>/);
    assert.match(html, /<h2>broken<\/h2>\n<table>\n<tr><th>error<\/th><td>cache &lt;not&gt; started<\/td><\/tr>/);
    assert.match(html, /<h2>empty<\/h2>\n<table>\n<tr><td>none<\/td><\/tr>/);
    assert.ok(html.indexOf("<h2>Agent leaders</h2>") > html.indexOf("<h2>This replica</h2>") && html.indexOf("<h2>Agent leaders</h2>") < html.indexOf("<h2>Controllers</h2>"), "between the election and the controllers");
    assert.doesNotMatch(renderStatusPage(report()), /<h2>(?!This replica|Controllers)/, "no section headings without sections");
  });

  test("the routes answer the sections in JSON and HTML", async () => {
    const manager = source({ name: "m", instanceName: "op-1", statusSections: [{ name: "agents", collect: () => [{ agent: "ns/web", leader: "agent-a" }] }] });
    const routes = statusPageRoutes(() => statusReport(manager));
    const call = async (path: "/" | "/status") => {
      let body = "";
      const headers: Record<string, string> = {};
      await routes[path]({ method: "GET" } as IncomingMessage, { statusCode: 200, setHeader: (k: string, v: string) => (headers[k] = v), end: (b?: string) => (body = b ?? "") } as unknown as ServerResponse);
      return { body, headers };
    };
    const json = await call("/status");
    assert.match(json.headers["content-type"]!, /^application\/json/);
    assert.deepEqual((JSON.parse(json.body) as StatusReport).sections, { agents: { title: "agents", data: [{ agent: "ns/web", leader: "agent-a" }] } });
    const html = await call("/");
    assert.match(html.body, /<td>ns\/web<\/td><td>agent-a<\/td>/);
  });
});
