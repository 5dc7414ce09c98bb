// What the client's integration tests set up on a real cluster: a namespace
// per test (removed afterwards), a tiny CRD in a group of its own, and a
// bounded pool for creating many objects without 1,200 sequential awaits.
import { randomBytes } from "node:crypto";
import assert from "node:assert/strict";
import type { Client } from "../../src/client/client.ts";
import { defineKind, type Kind } from "../../src/core/kind.ts";
import type { KubeObject } from "../../src/core/object.ts";
import { CustomResourceDefinition, Namespace } from "../../src/kinds/index.ts";
import { eventually } from "../../src/testing/index.ts";

/** A short random suffix for names. */
export function suffix(): string {
  return randomBytes(3).toString("hex");
}

/** Namespaces created by {@link Namespaces.create}, deleted (without waiting) by {@link Namespaces.cleanup}. */
export class Namespaces {
  readonly #client: Client;
  readonly #prefix: string;
  readonly #names: string[] = [];

  constructor(client: Client, prefix: string) {
    this.#client = client;
    this.#prefix = prefix;
  }

  async create(): Promise<string> {
    const name = `${this.#prefix}-${suffix()}`;
    await this.#client.create(Namespace, { metadata: { name } });
    this.#names.push(name);
    return name;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.#names.map((name) => this.#client.delete(Namespace, { name }).catch(() => {})));
  }
}

/** A custom resource with a spec and a status subresource. */
export interface Widget extends KubeObject {
  spec?: { size?: number; color?: string };
  status?: { phase?: string; observed?: number };
}

/** The CRD manifest of {@link Widget} in `group` (namespaced, `v1`, status subresource). */
export function widgetCrd(group: string): CustomResourceDefinition {
  return {
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      names: { kind: "Widget", listKind: "WidgetList", plural: "widgets", singular: "widget" },
      scope: "Namespaced",
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec: { type: "object", properties: { size: { type: "integer" }, color: { type: "string" } } },
                status: { type: "object", properties: { phase: { type: "string" }, observed: { type: "integer" } } },
              },
            },
          },
        },
      ],
    },
  };
}

/** The Kind of {@link Widget} in `group`. */
export function widgetKind(group: string): Kind<Widget> {
  return defineKind<Widget>({ group, version: "v1", kind: "Widget", plural: "widgets", namespaced: true });
}

/** Creates the Widget CRD in `group` and waits until it is Established and its resource answers a list. */
export async function installWidgetCrd(client: Client, group: string): Promise<Kind<Widget>> {
  const crd = await client.create(CustomResourceDefinition, widgetCrd(group));
  const kind = widgetKind(group);
  await eventually(
    async () => {
      const got = await client.get(CustomResourceDefinition, { name: crd.metadata.name });
      assert.ok(got.status?.conditions?.some((c) => c.type === "Established" && c.status === "True"), "Established");
      await client.list(kind, { limit: 1 });
    },
    { timeoutMs: 20_000, description: `CRD ${crd.metadata.name} established` },
  );
  return kind;
}

/** Deletes the Widget CRD of `group` (its objects go with it). */
export async function uninstallWidgetCrd(client: Client, group: string): Promise<void> {
  await client.delete(CustomResourceDefinition, { name: `widgets.${group}` }).catch(() => {});
}

/** Runs `fn` over `items` with at most `concurrency` calls in flight. */
export async function inPool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Collects a rejection's error, failing if `p` resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  assert.fail("expected the call to fail, but it succeeded");
}
