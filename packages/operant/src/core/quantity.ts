// Kubernetes resource quantities ("500m", "1Gi", "2.5e3"), parsed exactly as
// rationals so that sizes can be compared without floating-point surprises.
// The grammar and suffixes are apimachinery's resource.Quantity.
import { OperantError } from "./errors.ts";

/**
 * The pattern Kubernetes' OpenAPI gives `resource.Quantity`: use it on CRD
 * fields holding a quantity so the API server rejects malformed values.
 *
 * @example
 * ```ts
 * Type.String({ pattern: QUANTITY_PATTERN }) // accepts "1Gi", "500m", "1e3"; rejects "1GB"
 * ```
 */
export const QUANTITY_PATTERN = "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";

/**
 * A parsed quantity: the exact value `numerator / denominator` (denominator > 0).
 *
 * @example
 * ```ts
 * const q: ParsedQuantity = parseQuantity("1500m"); // { numerator: 3n, denominator: 2n }
 * ```
 */
export interface ParsedQuantity {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

const SYNTAX = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE])?$/;
const BINARY: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
/** Largest decimal exponent (`1e1000`) parsed exactly; beyond it a quantity is refused. */
const MAX_EXPONENT = 1000;

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x === 0n ? 1n : x;
}

/**
 * Parses a Kubernetes quantity (a number, or a string such as `"1Gi"`,
 * `"500m"`, `"1.5G"`, `"3e2"`). Throws `InvalidQuantity` for anything the API
 * server would refuse.
 *
 * @example
 * ```ts
 * parseQuantity("1Ki") // { numerator: 1024n, denominator: 1n }
 * ```
 */
export function parseQuantity(value: string | number): ParsedQuantity {
  const text = typeof value === "number" ? String(value) : value.trim();
  const m = SYNTAX.exec(text);
  if (!m || (typeof value === "number" && !Number.isFinite(value))) {
    throw new OperantError("InvalidQuantity", `"${String(value)}" is not a Kubernetes quantity: write a number with an optional suffix, e.g. "500m", "2", "1Gi", "10G" or "1e3" (binary suffixes are Ki Mi Gi Ti Pi Ei; decimal ones n u m k M G T P E).`);
  }
  const [, sign, number, suffix = ""] = m as unknown as [string, string, string, string | undefined];
  const [whole = "", fraction = ""] = number.split(".");
  let numerator = BigInt((whole || "0") + fraction) * (sign === "-" ? -1n : 1n);
  let denominator = 10n ** BigInt(fraction.length);
  if (suffix in BINARY) numerator *= 1024n ** BigInt(BINARY[suffix]!);
  else {
    const exponent = suffix === "" ? 0 : suffix in DECIMAL ? DECIMAL[suffix]! : Number(suffix.slice(1));
    // Exact arithmetic on 10^exponent: bounded, or "1e999999999" (which a CRD field with QUANTITY_PATTERN
    // accepts) would cost minutes of CPU. 10^±1000 is far beyond anything a quantity measures.
    if (Math.abs(exponent) > MAX_EXPONENT) {
      throw new OperantError("InvalidQuantity", `"${String(value)}" has the exponent ${suffix.slice(1)}, outside the ±${MAX_EXPONENT} operant computes with (Kubernetes caps quantities at 2^63-1 and nano precision anyway). Write the value with a smaller exponent.`);
    }
    if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
    else denominator *= 10n ** BigInt(-exponent);
  }
  const d = gcd(numerator, denominator);
  return { numerator: numerator / d, denominator: denominator / d };
}

/**
 * Whether `value` parses as a quantity.
 *
 * @example
 * ```ts
 * isQuantity("1Gi") // true
 * isQuantity("1GB") // false
 * ```
 */
export function isQuantity(value: string | number): boolean {
  try {
    parseQuantity(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Compares two quantities by value: -1 if `a < b`, 0 if equal, 1 if `a > b`
 * (`"1Gi"` and `"1024Mi"` are equal; `"1G"` is less than `"1Gi"`).
 *
 * @example
 * ```ts
 * if (compareQuantities(wanted, pvc.spec.resources.requests.storage) > 0) expand();
 * ```
 */
export function compareQuantities(a: string | number, b: string | number): -1 | 0 | 1 {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  const l = x.numerator * y.denominator;
  const r = y.numerator * x.denominator;
  return l < r ? -1 : l > r ? 1 : 0;
}
