// The schema language of CustomResourceDefinitions (apiextensions.k8s.io/v1
// JSONSchemaProps), as it travels on the wire: OpenAPI v3.0 keywords plus
// Kubernetes' x-kubernetes-* extensions. Only what the API server accepts in
// a structural schema is listed.

/**
 * A CEL validation rule (`x-kubernetes-validations` entry). `self` is the
 * value of the field the rule sits on; `oldSelf` its previous value on updates.
 *
 * @example
 * ```ts
 * const rule: ValidationRule = { rule: "self.minReplicas <= self.maxReplicas", message: "minReplicas must not exceed maxReplicas" };
 * Type.Object({ minReplicas: Type.Integer(), maxReplicas: Type.Integer() }, { "x-kubernetes-validations": [rule] });
 * ```
 */
export interface ValidationRule {
  /** The CEL expression; must evaluate to `true` for a valid object. */
  rule: string;
  /** Message returned when the rule fails (single line). */
  message?: string;
  /** CEL expression producing the message, e.g. `"'size ' + string(self.size) + ' is too large'"`. */
  messageExpression?: string;
  /** The HTTP-level reason reported when the rule fails (default FieldValueInvalid). */
  reason?: "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
  /** Path, relative to the field the rule sits on, that the error is reported against (e.g. `.spec.size` at the root). */
  fieldPath?: string;
  /** Run a transition rule also when there is no old value (`oldSelf` is then an optional). */
  optionalOldSelf?: boolean;
}

/**
 * A schema node of a CustomResourceDefinition version (`openAPIV3Schema` and below).
 *
 * @example
 * ```ts
 * const size: JSONSchemaProps = { type: "integer", format: "int32", minimum: 1 };
 * ```
 */
export interface JSONSchemaProps {
  type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
  format?: string;
  title?: string;
  description?: string;
  default?: unknown;
  example?: unknown;
  nullable?: boolean;
  enum?: unknown[];
  maximum?: number;
  exclusiveMaximum?: boolean;
  minimum?: number;
  exclusiveMinimum?: boolean;
  multipleOf?: number;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  items?: JSONSchemaProps;
  maxProperties?: number;
  minProperties?: number;
  required?: string[];
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps;
  anyOf?: JSONSchemaProps[];
  allOf?: JSONSchemaProps[];
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: "atomic" | "granular";
  "x-kubernetes-validations"?: ValidationRule[];
}

/**
 * The Kubernetes extensions you can pass in any TypeBox schema's options;
 * the CRD generator carries them into the CRD (and checks them).
 *
 * @example
 * ```ts
 * const Ports = Type.Array(Type.Integer(), { "x-kubernetes-list-type": "set" } satisfies KubernetesSchemaOptions);
 * const Spec = Type.Object({ a: Type.Optional(Type.String()), b: Type.Optional(Type.String()) }, {
 *   "x-kubernetes-validations": [{ rule: "has(self.a) != has(self.b)", message: "set exactly one of a and b" }],
 * } satisfies KubernetesSchemaOptions);
 * ```
 */
export type KubernetesSchemaOptions = Pick<
  JSONSchemaProps,
  | "x-kubernetes-preserve-unknown-fields"
  | "x-kubernetes-embedded-resource"
  | "x-kubernetes-int-or-string"
  | "x-kubernetes-list-type"
  | "x-kubernetes-list-map-keys"
  | "x-kubernetes-map-type"
  | "x-kubernetes-validations"
  | "nullable"
>;
