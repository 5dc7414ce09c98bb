/**
 * operant: build Kubernetes operators in TypeScript.
 *
 * @example
 * ```ts
 * import { OperantError, isOperantError } from "operant";
 * ```
 * @module
 */
export { OperantError, isOperantError } from "./core/errors.ts";
