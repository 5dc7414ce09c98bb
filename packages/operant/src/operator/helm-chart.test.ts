import assert from "node:assert/strict";
import { describe, test } from "node:test";
import Type from "typebox";
import { parse } from "yaml";
import { isOperantError } from "../core/errors.ts";
import { defineResource } from "../crd/resource/resource.ts";
import { Deployment } from "../kinds/index.ts";
import { Action } from "../runtime/controller/action.ts";
import { Controller } from "../runtime/controller/builder.ts";
import { helmChartFor } from "./helm-chart.ts";
import { defineOperator } from "./operator.ts";

const Widget = defineResource({ group: "toys.example.com", version: "v1", kind: "Widget", scope: "Namespaced", description: "A widget; {{ not a template }}.", spec: Type.Object({ size: Type.Integer({ minimum: 1 }) }) });
const operator = defineOperator({ name: "widget-operator", resources: [Widget], controllers: [Controller.for(Widget).owns(Deployment).reconcile(() => Action.awaitChange())], manager: { replicas: 2, priorityClassName: "high" } });

describe("helmChartFor", () => {
  test("a chart: Chart.yaml, values, templates guarded by the optional parts' values", () => {
    const { files, values } = helmChartFor(operator, { version: "1.2.3" });
    assert.deepEqual(Object.keys(files).sort(), [
      ".helmignore",
      "Chart.yaml",
      "templates/NOTES.txt",
      "templates/crd-roles.yaml",
      "templates/crds.yaml",
      "templates/manager.yaml",
      "templates/metrics-service.yaml",
      "templates/network-policy.yaml",
      "templates/rbac.yaml",
      "templates/service-monitor.yaml",
      "values.yaml",
    ]);
    assert.deepEqual(parse(files["Chart.yaml"]!), { apiVersion: "v2", name: "widget-operator", description: "widget-operator, a Kubernetes operator built with operant.", type: "application", version: "1.2.3", appVersion: "1.2.3" });
    assert.deepEqual(parse(files["values.yaml"]!), values, "values.yaml is the values");
    assert.equal((values.manager as { replicas: number }).replicas, 2, "defineOperator's manager options are the defaults");
    assert.equal((values.manager as { priorityClassName: string }).priorityClassName, "high");
    assert.deepEqual([values.prometheus, values.networkPolicy, values.crdRoles, values.crds], [{ enabled: false }, { enabled: false }, { enabled: true }, { install: true }]);
    assert.match(files["templates/service-monitor.yaml"]!, /^\{\{- if \.Values\.prometheus\.enabled \}\}\n/);
    assert.match(files["templates/manager.yaml"]!, /namespace: \{\{ \.Release\.Namespace \| quote \}\}/);
    assert.match(files["templates/manager.yaml"]!, /name: "\{\{ \.Values\.namePrefix \}\}controller-manager"/);
    for (const [path, text] of Object.entries(files)) assert.doesNotMatch(text, /@@/, `${path}: no marker left`);
    assert.match(files["templates/crds.yaml"]!, /A widget; \{\{ "\{\{" \}\} not a template \{\{ "\}\}" \}\}\./, "braces in generated text are escaped");
    assert.equal(JSON.stringify(helmChartFor(operator, { version: "1.2.3" })), JSON.stringify({ files, values }), "deterministic");
  });

  test("refuses a chart version that is not semver", () => {
    assert.throws(() => helmChartFor(operator, { version: "v1" }), (e) => isOperantError(e, "InvalidVersion") && /MAJOR\.MINOR\.PATCH/.test(e.message));
  });
});
