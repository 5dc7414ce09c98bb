import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Manager, type LeaderElector } from "../manager/manager.ts";
import { renderStatusPage, statusReport, type StatusReport } from "./status-page.ts";

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
    const elector: LeaderElector = {
      mode: "leader-for-life",
      acquire: () => Promise.resolve(new AbortController().signal),
      release: () => Promise.resolve(),
      describe: () => ({ identity: "op-2_aa", lock: "ConfigMap ops/lock", holder: "op-1", holderSince: "2025-01-01T00:00:00Z", leading: false }),
    };
    const r = statusReport(new Manager({ name: "m", instanceName: "op-2", leaderElection: elector }));
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
      generatedAt: "",
    });
    const alone = statusReport(new Manager({ name: "m", instanceName: "op-3" }));
    assert.equal(alone.mode, "none");
    assert.equal(alone.identity, "op-3");
    assert.equal(alone.leading, false, "not started");
  });
});
