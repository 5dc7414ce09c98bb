// The credentials Secret: one key per role (`postgres` plus spec.users), each
// a random password made once and never regenerated while the Secret lives.
// The operator never logs, records or reports a password: status keeps only
// SHA-256 fingerprints, which is how it notices that the Secret no longer holds
// the passwords the database was set up with (deleted and recreated, or
// edited) and says so with the CredentialsLost condition.
import { createHash, randomBytes } from "node:crypto";
import type { Cached, ReconcileContext } from "operant";
import { Secret } from "operant/kinds";
import { Postgresql } from "../../api/postgresql.ts";
import { labelsOf, namesOf } from "./objects.ts";

/** Annotation on a Postgresql that accepts the Secret's current passwords as the database's (after `ALTER ROLE … PASSWORD`). */
export const ACCEPT_CREDENTIALS_ANNOTATION = "db.example.com/accept-credentials";

/** What {@link reconcileCredentials} found and did. */
export interface CredentialsResult {
  secretName: string;
  /** Fingerprints to record in status: those the database was set up with. */
  fingerprints: Record<string, string>;
  /** Roles whose password in the Secret differs from the recorded one. */
  differing: string[];
}

/** A new password: 32 characters from 24 random bytes (node:crypto). */
function newPassword(): string {
  return randomBytes(24).toString("base64url");
}

/** A SHA-256 fingerprint of a role's password: enough to compare, useless to log in. */
export function fingerprintOf(role: string, password: string): string {
  return `sha256:${createHash("sha256").update(`${role}:${password}`).digest("hex").slice(0, 32)}`;
}

/**
 * Makes sure the credentials Secret exists with a password for every role:
 * creates it (all passwords new) if absent, adds keys for new users, removes
 * keys of users no longer listed, never touches existing passwords. The
 * Secret's data is read straight from the API server (the operator caches
 * Secrets' metadata only).
 */
export async function reconcileCredentials(pg: Cached<Postgresql>, ctx: ReconcileContext<Postgresql>): Promise<CredentialsResult> {
  const name = pg.metadata.name;
  const ref = { namespace: pg.metadata.namespace!, name: namesOf(name).secret };
  const roles = ["postgres", ...(pg.spec.users ?? []).map((u) => u.name)];
  const recorded = pg.status?.credentials?.fingerprints ?? {};
  const live = await ctx.client.tryGet(Secret, ref, { signal: ctx.signal });

  let data: Record<string, string>;
  if (!live) {
    data = Object.fromEntries(roles.map((r) => [r, newPassword()]));
    await ctx.create(Secret, { apiVersion: "v1", kind: "Secret", metadata: { name: ref.name, labels: labelsOf(name) }, type: "Opaque", stringData: data });
    if (Object.keys(recorded).length > 0) {
      ctx.log.warn({ secret: ref.name }, "credentials Secret was missing and has been recreated with new passwords");
      ctx.event("Warning", "CredentialsRecreated", `Secret ${ref.name} was missing: recreated with new passwords, which the running database does not use`);
    } else {
      ctx.event("Normal", "CredentialsCreated", `Secret ${ref.name} created with passwords for ${roles.join(", ")}`);
    }
  } else {
    data = Object.fromEntries(Object.entries(live.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));
    const added = roles.filter((r) => !(r in data));
    const removed = Object.keys(data).filter((k) => !roles.includes(k));
    if (added.length > 0 || removed.length > 0) {
      const patch: Record<string, string | null> = {};
      for (const r of added) patch[r] = Buffer.from((data[r] = newPassword())).toString("base64");
      for (const k of removed) {
        patch[k] = null;
        delete data[k];
      }
      // The resourceVersion makes this a compare-and-swap: a concurrent edit fails with Conflict and is retried.
      await ctx.patch(Secret, ref, { metadata: { resourceVersion: live.metadata.resourceVersion }, data: patch });
      ctx.event("Normal", "CredentialsUpdated", `Secret ${ref.name}: ${[...added.map((r) => `added ${r}`), ...removed.map((r) => `removed ${r}`)].join(", ")}`);
    }
  }

  const current = Object.fromEntries(roles.map((r) => [r, fingerprintOf(r, data[r]!)]));
  const accept = pg.metadata?.annotations?.[ACCEPT_CREDENTIALS_ANNOTATION] === "true";
  const fingerprints: Record<string, string> = {};
  const differing: string[] = [];
  for (const r of roles) {
    const before = recorded[r];
    if (before === undefined || accept) fingerprints[r] = current[r]!;
    else {
      fingerprints[r] = before;
      if (before !== current[r]) differing.push(r);
    }
  }
  if (accept) {
    await ctx.patch(Postgresql, ctx.request, { metadata: { annotations: { [ACCEPT_CREDENTIALS_ANNOTATION]: null } } });
    ctx.event("Normal", "CredentialsAccepted", `the passwords now in Secret ${ref.name} are recorded as the database's`);
  }
  return { secretName: ref.name, fingerprints, differing };
}
