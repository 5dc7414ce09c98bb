// Fields the API server fills in: a field with a default is optional in what
// users write (create, update, apply) and present in what they read (the API
// server applies defaults on every write and every read from etcd). TypeBox's
// static type keeps no trace of a `default` option, so `Defaulted` marks the
// field in the schema's type too, and `StaticOutput` derives the read type
// from that mark.
import type { Static, TArray, TIntersect, TObject, TOptional, TRecord, TSchema, TUnion } from "typebox";
import { Memory } from "typebox/system";

// The hidden key marking a defaulted field; like TypeBox's own `~` keys it is
// not enumerable, so neither JSON Schema output nor the CRD generator sees it.
const MARK = "~operantDefault";

/**
 * A schema made optional with a default by {@link Defaulted}: optional in
 * `Static` (the type users write), present in {@link StaticOutput} (the
 * type read back). The mark carries the schema as it was given.
 *
 * @example
 * ```ts
 * const replicas: TDefaulted<TInteger> = Defaulted(Type.Integer({ minimum: 0 }), 1);
 * ```
 */
export type TDefaulted<T extends TSchema = TSchema> = TOptional<T> & { readonly "~operantDefault": T };

/**
 * A field with a default the API server fills in when it is absent: optional
 * in the type of what users write (`InputOf`, `Static`, the client's create,
 * update and apply), present in the type of what they read (`ObjectOf`, the
 * cache, a reconcile), and left out of the CRD's `required`. `Type.Optional`
 * plus TypeBox's `default` option gives the same CRD, but TypeScript cannot
 * see that default, so reads would still have the field as optional.
 *
 * @param schema the field's schema (not `Type.Optional`: this makes it optional)
 * @param value the default; checked against the schema when the CRD is generated
 * @example
 * ```ts
 * const Spec = Type.Object({
 *   size: Defaulted(Type.Integer({ minimum: 1 }), 1),
 *   port: Defaulted(Type.Integer({ minimum: 1, maximum: 65535 }), 11211),
 * });
 * await client.create(Memcached, { metadata: { name: "mc", namespace: "default" }, spec: {} }); // type-checks
 * const mc = await client.get(Memcached, { namespace: "default", name: "mc" });
 * mc.spec.size; // number, 1
 * ```
 */
export function Defaulted<T extends TSchema>(schema: T, value: Static<T>): TDefaulted<T> {
  return Memory.Update(schema, { "~optional": true, [MARK]: schema }, { default: value }) as TDefaulted<T>;
}

/**
 * Whether a schema was made by {@link Defaulted}.
 *
 * @example
 * ```ts
 * isDefaulted(Defaulted(Type.String(), "a")) // true
 * isDefaulted(Type.Optional(Type.String({ default: "a" }))) // false: TypeScript cannot see that default
 * ```
 */
export function isDefaulted(schema: unknown): schema is TDefaulted {
  return typeof schema === "object" && schema !== null && MARK in schema;
}

// The schema with every Defaulted field made required again, at the type level only.
type OutputProperty<P extends TSchema> = P extends { readonly "~operantDefault": infer X extends TSchema } ? OutputSchema<X> : P extends TOptional<TSchema> ? TOptional<OutputSchema<P>> : OutputSchema<P>;
type OutputSchema<S extends TSchema> =
  S extends TObject<infer P> ? TObject<{ [K in keyof P]: OutputProperty<P[K]> }>
  : S extends TArray<infer I> ? TArray<OutputSchema<I>>
  : S extends TRecord<infer K, infer V> ? TRecord<K, OutputSchema<V>>
  : S extends TUnion<infer M> ? TUnion<{ [i in keyof M]: OutputSchema<M[i]> }>
  : S extends TIntersect<infer M> ? TIntersect<{ [i in keyof M]: OutputSchema<M[i]> }>
  : S;

/**
 * The type of a value of schema `S` as the API server returns it: like
 * TypeBox's `Static<S>`, but every field made with {@link Defaulted} is
 * present (at any depth: in objects, arrays, maps). `Static<S>` is the type
 * of what users write.
 *
 * @example
 * ```ts
 * const Spec = Type.Object({ size: Defaulted(Type.Integer(), 1) });
 * type Written = Static<typeof Spec>;      // { size?: number }
 * type Read = StaticOutput<typeof Spec>;   // { size: number }
 * ```
 */
export type StaticOutput<S extends TSchema> = Static<OutputSchema<S>>;
