// CRDs generated from TypeBox definitions, checked against the real API
// server with kubectl as an independent client: accepted and Established,
// server-side validation and defaulting as the schema says, printer columns,
// subresources, several versions.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import Type from "typebox";
import { ControlPlane, eventually } from "../../src/testing/index.ts";
import { Condition, EmbeddedResource, FreeForm, IntOrString, crdManifest, defineResource } from "../../src/crd/index.ts";
import { kubectl, kubectlJson, kubectlOk } from "../support/kubectl.ts";

const suffix = randomBytes(3).toString("hex");
const group = `crd-${suffix}.operant.example.com`;

const Spec = Type.Object(
  {
    size: Type.Integer({
      minimum: 1,
      maximum: 10,
      format: "int32",
      description: "How many widgets",
      "x-kubernetes-validations": [{ rule: "self != 7", messageExpression: "'size ' + (self == 7 ? 'seven' : 'other') + ' is unlucky'", reason: "FieldValueForbidden" }],
    }),
    mode: Type.Optional(Type.Union([Type.Literal("fast"), Type.Literal("safe")], { default: "safe", description: "Operating mode" })),
    name: Type.Optional(Type.String({ pattern: "^[a-z]+$", minLength: 1, maxLength: 20 })),
    replicas: Type.Optional(Type.Integer({ minimum: 0, default: 1 })),
    limits: Type.Optional(Type.Object({ cpu: Type.Optional(Type.Integer({ default: 2 })) }, { default: {} })),
    minReplicas: Type.Optional(Type.Integer({ minimum: 0 })),
    maxReplicas: Type.Optional(Type.Integer({ minimum: 0 })),
    port: Type.Optional(IntOrString({ description: "A port number or name" })),
    labels: Type.Optional(Type.Record(Type.String(), Type.String(), { maxProperties: 10 })),
    values: Type.Optional(FreeForm()),
    template: Type.Optional(EmbeddedResource()),
    tags: Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { maxItems: 5, "x-kubernetes-list-type": "set" })),
    servers: Type.Optional(
      Type.Array(Type.Object({ name: Type.String(), port: Type.Integer() }), { maxItems: 5, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] }),
    ),
    ratio: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
    note: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    since: Type.Optional(Type.String({ format: "date-time" })),
    host: Type.Optional(Type.Union([Type.String({ format: "ipv4" }), Type.String({ pattern: "^[a-z]+\\.internal$" })], { description: "An IPv4 address or an .internal name" })),
    pair: Type.Optional(Type.Intersect([Type.Object({ left: Type.String() }), Type.Object({ right: Type.Optional(Type.Integer()) })])),
  },
  {
    "x-kubernetes-validations": [
      { rule: "!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas", message: "minReplicas must not exceed maxReplicas", fieldPath: ".maxReplicas" },
    ],
  },
);

const Status = Type.Object({
  replicas: Type.Optional(Type.Integer({ minimum: 0 })),
  selector: Type.Optional(Type.String()),
  nodes: Type.Optional(Type.Array(Type.String())),
  conditions: Type.Optional(Type.Array(Condition)),
});

const Widget = defineResource({
  group,
  version: "v1",
  kind: "Widget",
  scope: "Namespaced",
  shortNames: [`wd${suffix}`],
  categories: [`cat${suffix}`],
  spec: Spec,
  status: Status,
  storage: true,
  description: "A widget, for testing CRD generation.",
  validations: [{ rule: "self.metadata.name.size() <= 30", message: "widget names are at most 30 characters" }],
  selectableFields: [".spec.mode"],
  printerColumns: [
    { name: "Size", type: "integer", jsonPath: ".spec.size" },
    { name: "Mode", type: "string", jsonPath: ".spec.mode" },
    { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  ],
  subresources: { scale: { specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".status.selector" } },
});
// Qualified for kubectl: another test file may serve a `widgets` of its own group at the same time, and a bare
// plural resolves to whichever group discovery lists first.
const widgets = `${Widget.plural}.${group}`;

const WidgetV1beta1 = Widget.defineVersion("v1beta1", {
  spec: Type.Object({ size: Type.Integer({ minimum: 1 }) }),
  deprecated: true,
  deprecationWarning: `${group}/v1beta1 Widget is deprecated; use ${group}/v1`,
});

const crd = crdManifest(Widget);
const crdName = crd.metadata.name;

let kc = "";
let ns = "";

const widget = (name: string, spec: Record<string, unknown>, apiVersion = Widget.apiVersion) =>
  JSON.stringify({ apiVersion, kind: "Widget", metadata: { name, namespace: ns }, spec });

async function rejected(name: string, spec: Record<string, unknown>): Promise<string> {
  // create rather than server-side apply: apply refuses a wrongly typed field before validation, with its own message.
  const r = await kubectl(kc, ["create", "--dry-run=server", "-f", "-"], widget(name, spec));
  assert.notEqual(r.code, 0, `the API server accepted ${JSON.stringify(spec)}`);
  return r.stderr;
}

describe("generated CRDs on a real API server", () => {
  before(async () => {
    const cp = await ControlPlane.shared();
    kc = cp.kubeconfigPath;
    ns = `crd-${suffix}`;
    await kubectlOk(kc, ["create", "namespace", ns]);
    await kubectlOk(kc, ["apply", "--server-side", "-f", "-"], JSON.stringify(crd));
    await kubectlOk(kc, ["wait", "--for=condition=Established", `crd/${crdName}`, "--timeout=30s"]);
    // Discovery and the handlers for the new group take a moment after Established.
    await eventually(() => kubectlOk(kc, ["-n", ns, "get", widgets]), { timeoutMs: 15_000, description: "widgets served" });
  });

  after(async () => {
    if (!kc) return;
    await kubectl(kc, ["delete", "crd", crdName, "--wait=false"]);
    await kubectl(kc, ["delete", "namespace", ns, "--wait=false"]);
  });

  test("the CRD is accepted and Established with names, both versions and the storage version", async () => {
    const got = await kubectlJson<{ spec: { names: Record<string, unknown>; versions: { name: string; storage: boolean; served: boolean; deprecated?: boolean }[] }; status: { conditions: { type: string; status: string }[] } }>(kc, ["crd", crdName]);
    for (const type of ["Established", "NamesAccepted"]) assert.ok(got.status.conditions.some((c) => c.type === type && c.status === "True"), `${type} not True`);
    assert.deepEqual(got.spec.names.shortNames, [`wd${suffix}`]);
    assert.deepEqual(got.spec.names.categories, [`cat${suffix}`]);
    assert.deepEqual(
      got.spec.versions.map((v) => [v.name, v.served, v.storage, v.deprecated ?? false]),
      [["v1", true, true, false], ["v1beta1", true, false, true]],
    );
  });

  test("a valid object is accepted and the schema's defaults are applied", async () => {
    const spec = { size: 3, name: "abc", port: "http", labels: { a: "b" }, values: { any: { nested: [1, "x"] } }, template: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "t" }, data: { k: "v" } }, tags: ["x", "y"], servers: [{ name: "a", port: 80 }], ratio: 0.5, note: null, since: "2025-01-01T00:00:00Z", host: "db.internal", pair: { left: "l", right: 1 } };
    assert.deepEqual(Widget.validate(JSON.parse(widget("ok", spec))), []);
    await kubectlOk(kc, ["apply", "--server-side", "-f", "-"], widget("ok", spec));
    const got = await kubectlJson<{ spec: Record<string, unknown> }>(kc, ["-n", ns, widgets, "ok"]);
    assert.equal(got.spec.mode, "safe", "default for mode");
    assert.equal(got.spec.replicas, 1, "default for replicas");
    assert.deepEqual(got.spec.limits, { cpu: 2 }, "an object default, filled with its fields' defaults");
    assert.deepEqual(got.spec.values, spec.values, "free-form values kept as they are");
    assert.deepEqual(got.spec.template, spec.template, "embedded resource kept");
    assert.equal(got.spec.port, "http");
    assert.equal(got.spec.note, null);
  });

  test("invalid objects are rejected with the schema's messages, and validate() flags the same fields", async () => {
    const cases: [string, Record<string, unknown>, RegExp, string | undefined][] = [
      ["minimum", { size: 0 }, /spec\.size: Invalid value: 0: spec\.size in body should be greater than or equal to 1/, "spec.size"],
      ["maximum", { size: 11 }, /spec\.size in body should be less than or equal to 10/, "spec.size"],
      ["enum", { size: 1, mode: "turbo" }, /spec\.mode: Unsupported value: "turbo": supported values: "fast", "safe"/, "spec.mode"],
      ["pattern", { size: 1, name: "Not-Lower" }, /spec\.name in body should match '\^\[a-z\]\+\$'/, "spec.name"],
      ["wrong type", { size: "three" }, /spec\.size: Invalid value: "string": spec\.size in body must be of type integer/, "spec.size"],
      ["required", { mode: "fast" }, /spec\.size: Required value/, "spec.size"],
      ["exclusive minimum", { size: 1, ratio: 0 }, /spec\.ratio in body should be greater than 0/, "spec.ratio"],
      ["int-or-string", { size: 1, port: 1.5 }, /spec\.port/, "spec.port"],
      ["union of string forms", { size: 1, host: "db.example.com" }, /spec\.host/, "spec.host"],
      ["intersection member required", { size: 1, pair: { right: 1 } }, /spec\.pair\.left: Required value/, "spec.pair.left"],
      ["list-type set", { size: 1, tags: ["a", "a"] }, /spec\.tags\[1\]: Duplicate value: "a"/, undefined],
      ["list-type map", { size: 1, servers: [{ name: "a", port: 1 }, { name: "a", port: 2 }] }, /spec\.servers\[1\]: Duplicate value: \{"name":"a"\}/, undefined],
      ["CEL rule message and fieldPath", { size: 1, minReplicas: 3, maxReplicas: 2 }, /spec\.maxReplicas: Invalid value: minReplicas must not exceed maxReplicas/, undefined],
      ["CEL messageExpression and reason", { size: 7 }, /spec\.size: Forbidden: size seven is unlucky/, undefined],
    ];
    for (const [i, [what, spec, message, field]] of cases.entries()) {
      const stderr = await rejected(`bad-${i}`, spec);
      assert.match(stderr, message, `${what}: ${stderr}`);
      const problems = Widget.validate({ spec });
      if (field !== undefined) assert.ok(problems.some((p) => p.path === field), `${what}: validate() gave ${JSON.stringify(problems)}`);
    }
    const longName = await kubectl(kc, ["apply", "--server-side", "--dry-run=server", "-f", "-"], widget("a".repeat(31), { size: 1 }));
    assert.match(longName.stderr, /widget names are at most 30 characters/, "root CEL rule");
  });

  test("the printer columns appear in kubectl get, as given: no Age column unless asked for (as controller-gen)", async () => {
    await kubectlOk(kc, ["apply", "--server-side", "-f", "-"], widget("cols", { size: 4, mode: "fast" }));
    const out = await kubectlOk(kc, ["-n", ns, "get", widgets, "cols"]);
    const [header, row] = out.trim().split("\n");
    assert.match(header ?? "", /^NAME\s+SIZE\s+MODE\s+READY$/);
    assert.match(row ?? "", /^cols\s+4\s+fast\s*$/, "no status yet: Ready is empty");
    const byShortName = await kubectlOk(kc, ["-n", ns, "get", `wd${suffix}`, "cols", "-o", "name"]);
    assert.equal(byShortName.trim(), `widget.${group}/cols`);
  });

  test("selectableFields: the API server filters lists by spec.mode", async () => {
    await kubectlOk(kc, ["apply", "--server-side", "-f", "-"], widget("sel-fast", { size: 1, mode: "fast" }));
    await kubectlOk(kc, ["apply", "--server-side", "-f", "-"], widget("sel-safe", { size: 1, mode: "safe" }));
    const names = async (selector: string) => (await kubectlOk(kc, ["-n", ns, "get", widgets, "--field-selector", selector, "-o", "name"])).trim().split("\n").filter(Boolean).map((n) => n.split("/")[1]).sort();
    assert.ok((await names("spec.mode=fast")).includes("sel-fast"));
    assert.ok(!(await names("spec.mode=fast")).includes("sel-safe"));
    assert.ok((await names("spec.mode!=fast")).includes("sel-safe"));
    const unselectable = await kubectl(kc, ["-n", ns, "get", widgets, "--field-selector", "spec.size=1"]);
    assert.notEqual(unselectable.code, 0, "a field not declared selectable is refused");
  });

  test("the status subresource validates conditions; the scale subresource scales spec.replicas", async () => {
    await kubectlOk(kc, ["apply", "--server-side", "-f", "-"], widget("sub", { size: 2 }));
    const condition = (reason: string) => ({ type: "Ready", status: "True", reason, message: "all good", lastTransitionTime: "2025-01-01T00:00:00Z" });
    const patch = (reason: string) => JSON.stringify({ status: { replicas: 1, selector: "app=sub", conditions: [condition(reason)] } });
    await kubectlOk(kc, ["-n", ns, "patch", widgets, "sub", "--subresource=status", "--type=merge", "-p", patch("AllGood")]);
    const bad = await kubectl(kc, ["-n", ns, "patch", widgets, "sub", "--subresource=status", "--type=merge", "-p", patch("not a reason")]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /status\.conditions\[0\]\.reason: Invalid value: "not a reason": .*reason in body should match/);
    const out = await kubectlOk(kc, ["-n", ns, "get", widgets, "sub"]);
    assert.match(out, /sub\s+2\s+safe\s+True\s/, "Ready column reads the condition");
    await kubectlOk(kc, ["-n", ns, "scale", `${widgets}/sub`, "--replicas=3"]);
    const got = await kubectlJson<{ spec: { replicas: number } }>(kc, ["-n", ns, widgets, "sub"]);
    assert.equal(got.spec.replicas, 3);
    const scale = JSON.parse(await kubectlOk(kc, ["get", "--raw", `/apis/${group}/v1/namespaces/${ns}/${Widget.plural}/sub/scale`])) as { status: { replicas: number; selector: string } };
    assert.deepEqual(scale.status, { replicas: 1, selector: "app=sub" });
  });

  test("the deprecated version is served with its own schema and warning", async () => {
    const r = await kubectl(kc, ["apply", "--server-side", "-f", "-"], widget("old", { size: 2 }, WidgetV1beta1.apiVersion));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`Warning: ${group.replace(/\./g, "\\.")}/v1beta1 Widget is deprecated`));
    const bad = await kubectl(kc, ["apply", "--server-side", "--dry-run=server", "-f", "-"], widget("old", { size: 0 }, WidgetV1beta1.apiVersion));
    assert.match(bad.stderr, /spec\.size in body should be greater than or equal to 1/);
  });
});
