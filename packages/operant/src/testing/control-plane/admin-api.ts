// The few API calls the control plane makes about itself (readiness, Nodes,
// tokens), authenticated as the admin. Deliberately small: operant's Client is
// for everything else.
import { Agent, request } from "undici";

export interface TlsMaterial {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export class AdminApi {
  readonly #agent: Agent;
  readonly #base: string;

  constructor(base: string, tls: TlsMaterial) {
    this.#base = base;
    this.#agent = new Agent({ connect: { ca: tls.caPem, cert: tls.certPem, key: tls.keyPem }, keepAliveTimeout: 1000 });
  }

  async call(method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown, timeoutMs = 5000): Promise<{ status: number; body: unknown; text: string }> {
    const res = await request(this.#base + path, {
      method,
      dispatcher: this.#agent,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      ...(body !== undefined && { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
    const text = await res.body.text();
    let parsed: unknown = undefined;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON (e.g. /readyz) */
    }
    return { status: res.statusCode, body: parsed, text };
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}

/** GET an HTTPS health endpoint of a component serving a self-signed certificate. */
export async function probe(url: string, timeoutMs = 2000): Promise<boolean> {
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    const res = await request(url, { dispatcher: agent, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    await res.body.text();
    return res.statusCode === 200;
  } catch {
    return false;
  } finally {
    await agent.close();
  }
}
