// An OLM bundle (registry+v1) for an operator: a ClusterServiceVersion that
// installs the manager Deployment with the RBAC `rbacFor` derives and owns
// the operator's CRDs, the CRDs themselves, the bundle annotations and a
// bundle.Dockerfile carrying the same annotations as labels.
//
// Layout (paths relative to the project):
//   bundle/manifests/<package>.clusterserviceversion.yaml
//   bundle/manifests/<group>_<plural>.yaml        one per CRD
//   bundle/metadata/annotations.yaml
//   bundle/tests/scorecard/config.yaml             the scorecard's basic and OLM suites
//   bundle.Dockerfile                              FROM scratch, labels, COPY bundle/manifests, metadata and tests
import { OperantError } from "../core/errors.ts";
import type { KubeObject } from "../core/object.ts";
import type { CustomResourceDefinitionManifest } from "../crd/manifest/manifest.ts";
import type { JSONSchemaProps } from "../crd/schema/json-schema-props.ts";
import type { PolicyRule } from "../runtime/controller/builder.ts";
import { managerDeploymentSpec, manifestsFor, manifestsYaml, type DeploymentManifest, type ManifestOptions } from "./manifests.ts";
import type { OperatorDefinition } from "./operator.ts";
import { metricsAuthRules, operatorLabels } from "./rbac.ts";
import { sampleFor } from "./samples.ts";

/**
 * Options of {@link bundleFor}.
 *
 * @example
 * ```ts
 * const bundle = bundleFor(operator, { version: "0.2.0", image: "ghcr.io/example/memcached-operator:0.2.0", channels: ["stable"], replaces: "memcached-operator.v0.1.0" } satisfies BundleOptions);
 * ```
 */
export interface BundleOptions extends Pick<ManifestOptions, "image" | "resources" | "replicas"> {
  /** The bundle's version, semver without a leading `v` (`0.1.0`). */
  version: string;
  /** Channels the bundle is published in (default `["candidate"]`; OLM's convention: names start with candidate, fast or stable). */
  channels?: readonly string[];
  /** The package's default channel (default: the first channel); must be one of `channels`. */
  defaultChannel?: string;
  /** Package name (default: the operator's name). */
  packageName?: string;
  /** The CSV this one upgrades (`<package>.v<previous version>`). */
  replaces?: string;
  /** Oldest Kubernetes version the operator supports (default `1.26.0`). */
  minKubeVersion?: string;
  /** Shown in catalogs (default: the name in title case). */
  displayName?: string;
  description?: string;
  /** `alpha` (default), `beta`, `stable`… */
  maturity?: string;
  provider?: { name?: string; url?: string };
  maintainers?: readonly { name?: string; email?: string }[];
  links?: readonly { name?: string; url?: string }[];
  keywords?: readonly string[];
  /** Sample objects shown in `alm-examples` (default: one per served version of each resource, built from its schema). */
  examples?: readonly KubeObject[];
  /** The icon catalogs show (default: operant's, an SVG). */
  icon?: CsvIcon;
  /** Image of the scorecard's tests (default {@link SCORECARD_TEST_IMAGE}). */
  scorecardImage?: string;
}

/**
 * A CSV icon: the image, base64-encoded, and its media type.
 *
 * @example
 * ```ts
 * const icon: CsvIcon = { base64data: (await readFile("icon.png")).toString("base64"), mediatype: "image/png" };
 * bundleFor(operator, { version: "0.1.0", icon });
 * ```
 */
export interface CsvIcon {
  base64data: string;
  mediatype: "image/svg+xml" | "image/png" | "image/jpeg" | "image/gif";
}

/**
 * The scorecard test image the generated tests/scorecard/config.yaml names
 * (operator-sdk's; pin your own with `scorecardImage`).
 *
 * @example
 * ```ts
 * SCORECARD_TEST_IMAGE // "quay.io/operator-framework/scorecard-test:v1.42.0"
 * ```
 */
export const SCORECARD_TEST_IMAGE = "quay.io/operator-framework/scorecard-test:v1.42.0";

/** The scorecard's standard tests: the basic suite's spec check and the OLM suite's five. */
const SCORECARD_TESTS = [
  ["basic", "basic-check-spec"],
  ["olm", "olm-bundle-validation"],
  ["olm", "olm-crds-have-validation"],
  ["olm", "olm-crds-have-resources"],
  ["olm", "olm-spec-descriptors"],
  ["olm", "olm-status-descriptors"],
] as const;

/**
 * The scorecard configuration of a bundle (tests/scorecard/config.yaml):
 * one parallel stage with the basic and OLM suites' standard tests.
 *
 * @example
 * ```ts
 * scorecardConfig().stages[0].tests.map((t) => t.labels.test) // ["basic-check-spec-test", "olm-bundle-validation-test", …]
 * ```
 */
export function scorecardConfig(image: string = SCORECARD_TEST_IMAGE) {
  return {
    apiVersion: "scorecard.operatorframework.io/v1alpha3",
    kind: "Configuration",
    metadata: { name: "config" },
    stages: [
      {
        parallel: true,
        tests: SCORECARD_TESTS.map(([suite, test]) => ({ entrypoint: ["scorecard-test", test], image, labels: { suite, test: `${test}-test` }, storage: { spec: { mountPath: {} } } })),
      },
    ],
    storage: { spec: { mountPath: {} } },
  };
}

// operant's icon: a hexagon (a cluster's usual shape) around an ant's three
// body segments; drawn for operant, 64×64.
const OPERANT_ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><path d="M32 3 57 17.5v29L32 61 7 46.5v-29z" fill="#326ce5"/><g fill="#fff"><circle cx="32" cy="18" r="6"/><ellipse cx="32" cy="31" rx="5" ry="6"/><ellipse cx="32" cy="46" rx="8" ry="9"/></g><path d="M26 28 16 22M38 28l10-6M26 34l-11 4M38 34l11 4M26 40l-9 9M38 40l9 9" stroke="#fff" stroke-width="2.5" stroke-linecap="round"/></svg>';

/**
 * operant's default CSV icon.
 *
 * @example
 * ```ts
 * bundleFor(operator, { version: "0.1.0", icon: DEFAULT_ICON });
 * ```
 */
export const DEFAULT_ICON: CsvIcon = Object.freeze({ base64data: Buffer.from(OPERANT_ICON_SVG).toString("base64"), mediatype: "image/svg+xml" });

/** A CSV descriptor of a spec or status field. */
export interface CsvDescriptor {
  path: string;
  displayName: string;
  description?: string;
  "x-descriptors"?: string[];
}

/** An owned CRD as the CSV lists it. */
export interface CsvOwnedCrd {
  name: string;
  version: string;
  kind: string;
  displayName: string;
  description: string;
  specDescriptors?: CsvDescriptor[];
  statusDescriptors?: CsvDescriptor[];
}

/** RBAC rules for one ServiceAccount in a CSV. */
export interface CsvPermissions {
  serviceAccountName: string;
  rules: PolicyRule[];
}

/**
 * The ClusterServiceVersion as generated (operators.coreos.com/v1alpha1).
 *
 * @example
 * ```ts
 * const { csv }: { csv: ClusterServiceVersionManifest } = bundleFor(operator, { version: "0.1.0", image });
 * console.log(csv.metadata.name, csv.spec.installModes);
 * ```
 */
export interface ClusterServiceVersionManifest {
  apiVersion: "operators.coreos.com/v1alpha1";
  kind: "ClusterServiceVersion";
  metadata: { name: string; namespace: string; annotations: Record<string, string> };
  spec: {
    displayName: string;
    description: string;
    version: string;
    replaces?: string;
    minKubeVersion: string;
    maturity: string;
    provider: { name?: string; url?: string };
    maintainers?: { name?: string; email?: string }[];
    links?: { name?: string; url?: string }[];
    keywords: string[];
    icon: CsvIcon[];
    installModes: { type: "OwnNamespace" | "SingleNamespace" | "MultiNamespace" | "AllNamespaces"; supported: boolean }[];
    install: {
      strategy: "deployment";
      spec: {
        clusterPermissions?: CsvPermissions[];
        permissions?: CsvPermissions[];
        deployments: { name: string; label: Record<string, string>; spec: DeploymentManifest["spec"] }[];
      };
    };
    customresourcedefinitions: { owned: CsvOwnedCrd[] };
  };
}

/**
 * Everything {@link bundleFor} returns.
 *
 * @example
 * ```ts
 * const bundle: OperatorBundle = bundleFor(operator, { version: "0.1.0", image });
 * console.log(bundle.packageName, bundle.crds.length);
 * ```
 */
export interface OperatorBundle {
  readonly packageName: string;
  readonly csv: ClusterServiceVersionManifest;
  readonly crds: readonly CustomResourceDefinitionManifest[];
  /** The bundle annotations (`metadata/annotations.yaml`, and labels of the bundle image). */
  readonly annotations: Readonly<Record<string, string>>;
  /** File contents by path relative to the project: `bundle/manifests/…`, `bundle/metadata/annotations.yaml`, `bundle.Dockerfile`. */
  readonly files: Readonly<Record<string, string>>;
}

// Semantic Versioning 2.0.0, without a leading "v".
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
const CHANNEL = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * Checks a bundle version: Semantic Versioning without a leading `v`.
 *
 * @throws OperantError `InvalidVersion`
 * @example
 * ```ts
 * checkBundleVersion("0.1.0");  // ok
 * checkBundleVersion("v0.1");   // throws InvalidVersion
 * ```
 */
export function checkBundleVersion(version: string): void {
  if (!SEMVER.test(version)) {
    const hint = /^v\d/.test(version) && SEMVER.test(version.slice(1)) ? ` (drop the leading "v": ${version.slice(1)})` : "";
    throw new OperantError("InvalidVersion", `bundle version "${version}" is not a semantic version${hint}: use MAJOR.MINOR.PATCH, optionally with -prerelease, e.g. 0.1.0 or 1.2.0-rc.1.`);
  }
}

/** The spec with one more environment variable in the manager container. */
function withEnv(spec: DeploymentManifest["spec"], env: { name: string; value: string }): DeploymentManifest["spec"] {
  for (const c of spec.template.spec?.containers ?? []) if (c.name === "manager") c.env = [...(c.env ?? []), env];
  return spec;
}

function titleCase(name: string): string {
  return name
    .split("-")
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(" ");
}

/** "replicaCount" → "Replica Count". */
function displayNameOf(field: string): string {
  const spaced = field.replace(/([a-z0-9])([A-Z])/g, "$1 $2");
  return spaced[0]!.toUpperCase() + spaced.slice(1);
}

function descriptors(schema: JSONSchemaProps | undefined): CsvDescriptor[] {
  const out: CsvDescriptor[] = [];
  for (const [k, p] of Object.entries(schema?.properties ?? {})) {
    const isConditions = k === "conditions" && p.type === "array" && p["x-kubernetes-list-map-keys"]?.includes("type") === true;
    if (!p.description && !isConditions) continue;
    out.push({ path: k, displayName: displayNameOf(k), ...(p.description && { description: p.description }), ...(isConditions && { "x-descriptors": ["urn:alm:descriptor:io.kubernetes.conditions"] }) });
  }
  return out;
}

/**
 * Rules as a bundle grants them: `events` in `events.k8s.io` become `events`
 * in the core group (merged with a core rule for events if there is one).
 * The operator-framework validators flag any events.k8s.io rule as a
 * deprecated API (they cannot tell v1 from the removed v1beta1), so a bundled
 * manager writes core v1 Events instead (`OPERANT_EVENTS_API=v1`).
 *
 * @example
 * ```ts
 * coreEvents([{ apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create", "patch"] }]) // [{ apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] }]
 * ```
 */
export function coreEvents(rules: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const r of rules) {
    const isEvents = r.apiGroups.length === 1 && r.apiGroups[0] === "events.k8s.io" && r.resources.length === 1 && r.resources[0] === "events" && !r.resourceNames;
    const rule = isEvents ? { apiGroups: [""], resources: ["events"], verbs: [...r.verbs] } : r;
    const same = out.find((o) => isEvents && o.apiGroups.length === 1 && o.apiGroups[0] === "" && o.resources.length === 1 && o.resources[0] === "events" && !o.resourceNames);
    if (same) same.verbs = [...new Set([...same.verbs, ...rule.verbs])];
    else out.push(rule);
  }
  return out;
}

/**
 * The OLM bundle of an operator (see {@link OperatorBundle}). The CSV's
 * install strategy is the manager Deployment of {@link manifestsFor} with
 * WATCH_NAMESPACE taken from OLM's `olm.targetNamespaces` annotation; its
 * `clusterPermissions` and `permissions` are the rules of `rbacFor` (the
 * controllers' rules cluster-wide for a `Cluster` operator, in the target
 * namespaces for a `Namespaced` one; leader election in the operator's
 * namespace). A `Cluster` operator installs for AllNamespaces only, a
 * `Namespaced` one for OwnNamespace, SingleNamespace and MultiNamespace.
 * The manager writes core v1 Events there (see `coreEvents`).
 * `alm-examples` has a sample of every served version; the scorecard
 * configuration runs the basic and OLM suites. Deterministic (no creation
 * timestamp).
 *
 * @throws OperantError `InvalidVersion` (not semver), `InvalidArgument` (channels, default channel, replaces)
 * @example
 * ```ts
 * const bundle = bundleFor(operator, { version: "0.1.0", channels: ["alpha"], image: "quay.io/me/memcached-operator:v0.1.0" });
 * for (const [path, text] of Object.entries(bundle.files)) await writeFile(path, text);
 * ```
 */
export function bundleFor(operator: OperatorDefinition, options: BundleOptions): OperatorBundle {
  checkBundleVersion(options.version);
  const channels = [...new Set(options.channels && options.channels.length > 0 ? options.channels : ["candidate"])];
  for (const c of channels) {
    if (!CHANNEL.test(c)) throw new OperantError("InvalidArgument", `channel "${c}" is not valid: use letters, digits, '-', '_' and '.', e.g. alpha, stable, stable-v1.`);
  }
  const defaultChannel = options.defaultChannel ?? channels[0]!;
  if (!channels.includes(defaultChannel)) {
    throw new OperantError("InvalidArgument", `the default channel "${defaultChannel}" is not one of the bundle's channels (${channels.join(", ")}): add it to --channels or pick one of them.`);
  }
  const packageName = options.packageName ?? operator.name;
  if (options.replaces !== undefined && !options.replaces.startsWith(`${packageName}.v`)) {
    throw new OperantError("InvalidArgument", `replaces "${options.replaces}" must name a CSV of this package, "${packageName}.v<version>" (e.g. ${packageName}.v0.0.9).`);
  }
  const m = manifestsFor(operator, { ...(options.image && { image: options.image }), ...(options.resources && { resources: options.resources }), ...(options.replicas !== undefined && { replicas: options.replicas }) });
  const rbac = m.rbac;
  const sa = rbac.serviceAccount.metadata.name;
  const strip = (rs: readonly PolicyRule[]) => coreEvents(rs.map((r) => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], ...(r.resourceNames && { resourceNames: [...r.resourceNames] }), verbs: [...r.verbs] })));
  // The secure metrics server's TokenReviews and SubjectAccessReviews are cluster-scoped: always clusterPermissions.
  const clusterRules = [...(operator.scope === "Cluster" ? rbac.rules : rbac.rules.filter((r) => r.clusterScoped === true)), ...metricsAuthRules()];
  const namespacedRules = operator.scope === "Cluster" ? [] : rbac.rules.filter((r) => r.clusterScoped !== true);
  const permissionRules = [...strip(namespacedRules), ...strip(rbac.leaderElectionRules)];

  const owned: CsvOwnedCrd[] = [];
  const byName = new Map(operator.resources.flatMap((r) => r.versions).map((v) => [`${v.names.plural}.${v.group}/${v.version}`, v]));
  for (const crd of m.crds) {
    for (const v of crd.spec.versions) {
      if (!v.served) continue;
      const def = byName.get(`${crd.metadata.name}/${v.name}`);
      const schema = v.schema.openAPIV3Schema;
      const specD = descriptors(schema.properties?.spec);
      const statusD = descriptors(schema.properties?.status);
      owned.push({
        name: crd.metadata.name,
        version: v.name,
        kind: crd.spec.names.kind,
        displayName: displayNameOf(crd.spec.names.kind),
        description: def?.description ?? schema.description ?? `${crd.spec.names.kind} (${crd.spec.group}/${v.name})`,
        ...(specD.length > 0 && { specDescriptors: specD }),
        ...(statusD.length > 0 && { statusDescriptors: statusD }),
      });
    }
  }
  const examples =
    options.examples ??
    operator.resources
      .flatMap((r) => r.versions)
      .filter((v, i, all) => v.served && all.findIndex((x) => x.apiVersion === v.apiVersion && x.kind === v.kind) === i)
      .sort((a, b) => `${a.group}/${a.kind}/${a.version}`.localeCompare(`${b.group}/${b.kind}/${b.version}`))
      .map(sampleFor);
  const image = options.image ?? operator.image;
  const csv: ClusterServiceVersionManifest = {
    apiVersion: "operators.coreos.com/v1alpha1",
    kind: "ClusterServiceVersion",
    metadata: {
      name: `${packageName}.v${options.version}`,
      namespace: "placeholder",
      annotations: {
        "alm-examples": JSON.stringify(examples, null, 2),
        capabilities: "Basic Install",
        containerImage: image,
        "operators.operatorframework.io/builder": "operant",
      },
    },
    spec: {
      displayName: options.displayName ?? titleCase(operator.name),
      description: options.description ?? `${titleCase(operator.name)}, built with operant.`,
      version: options.version,
      ...(options.replaces !== undefined && { replaces: options.replaces }),
      minKubeVersion: options.minKubeVersion ?? "1.26.0",
      maturity: options.maturity ?? "alpha",
      provider: { ...(options.provider ?? { name: packageName }) },
      ...(options.maintainers && { maintainers: options.maintainers.map((x) => ({ ...x })) }),
      ...(options.links && { links: options.links.map((x) => ({ ...x })) }),
      keywords: [...(options.keywords ?? [packageName.replace(/-operator$/, ""), "operator"])],
      icon: [{ ...(options.icon ?? DEFAULT_ICON) }],
      // Where the permissions go decides the modes: a Cluster operator's rules
      // are all clusterPermissions, so it is installed for all namespaces; a
      // Namespaced one's are permissions in each target namespace.
      installModes: [
        { type: "OwnNamespace", supported: operator.scope === "Namespaced" },
        { type: "SingleNamespace", supported: operator.scope === "Namespaced" },
        { type: "MultiNamespace", supported: operator.scope === "Namespaced" },
        { type: "AllNamespaces", supported: operator.scope === "Cluster" },
      ],
      install: {
        strategy: "deployment",
        spec: {
          ...(clusterRules.length > 0 && { clusterPermissions: [{ serviceAccountName: sa, rules: strip(clusterRules) }] }),
          ...(permissionRules.length > 0 && { permissions: [{ serviceAccountName: sa, rules: permissionRules }] }),
          deployments: [
            {
              name: m.deployment.metadata.name,
              label: { ...operatorLabels(operator), "control-plane": "controller-manager" },
              spec: withEnv(managerDeploymentSpec(operator, { image, ...(options.resources && { resources: options.resources }), ...(options.replicas !== undefined && { replicas: options.replicas }) }, { annotation: "olm.targetNamespaces" }), { name: "OPERANT_EVENTS_API", value: "v1" }),
            },
          ],
        },
      },
      customresourcedefinitions: { owned },
    },
  };
  const annotations: Record<string, string> = {
    "operators.operatorframework.io.bundle.mediatype.v1": "registry+v1",
    "operators.operatorframework.io.bundle.manifests.v1": "manifests/",
    "operators.operatorframework.io.bundle.metadata.v1": "metadata/",
    "operators.operatorframework.io.bundle.package.v1": packageName,
    "operators.operatorframework.io.bundle.channels.v1": channels.join(","),
    "operators.operatorframework.io.bundle.channel.default.v1": defaultChannel,
    "operators.operatorframework.io.test.mediatype.v1": "scorecard+v1",
    "operators.operatorframework.io.test.config.v1": "tests/scorecard/",
  };
  const files: Record<string, string> = {};
  files[`bundle/manifests/${packageName}.clusterserviceversion.yaml`] = manifestsYaml([csv]);
  for (const crd of m.crds) files[`bundle/manifests/${crd.spec.group}_${crd.spec.names.plural}.yaml`] = manifestsYaml([crd]);
  files["bundle/metadata/annotations.yaml"] = manifestsYaml([{ annotations }]);
  files["bundle/tests/scorecard/config.yaml"] = manifestsYaml([scorecardConfig(options.scorecardImage)]);
  files["bundle.Dockerfile"] = [
    "# The OLM bundle image of this operator, generated by `operant bundle`.",
    "# Build from the project directory: docker build -f bundle.Dockerfile -t <registry>/<name>-bundle:v<version> .",
    "FROM scratch",
    ...Object.entries(annotations).map(([k, v]) => `LABEL ${k}=${v}`),
    "COPY bundle/manifests /manifests/",
    "COPY bundle/metadata /metadata/",
    "COPY bundle/tests/scorecard /tests/scorecard/",
    "",
  ].join("\n");
  return Object.freeze({ packageName, csv, crds: m.crds, annotations, files });
}
