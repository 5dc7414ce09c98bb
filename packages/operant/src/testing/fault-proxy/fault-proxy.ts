// A TCP proxy in front of the API server that can break the network on
// command: cut every open connection (mid-stream), stall them (bytes stop
// flowing, sockets stay open), or refuse new ones. TLS passes through
// untouched, so clients talk to the real API server; only the wire misbehaves.
import { readFile, writeFile } from "node:fs/promises";
import { createServer, connect, type Server, type Socket } from "node:net";
import { parse, stringify } from "yaml";

interface Pair {
  client: Socket;
  upstream: Socket;
}

/**
 * A fault-injecting TCP proxy for tests.
 *
 * @example
 * ```ts
 * const proxy = await FaultProxy.start(cp.server);
 * const kubeconfig = await proxy.kubeconfig(cp.kubeconfigPath);  // same credentials, via the proxy
 * proxy.cutAll();              // every open watch breaks mid-stream
 * proxy.stall();               // streams go silent; proxy.resume() lets bytes flow again
 * await proxy.stop();
 * ```
 */
export class FaultProxy {
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  readonly #pairs = new Set<Pair>();
  #stalled = false;
  #refusing = false;
  /** Connections accepted so far. */
  accepted = 0;

  private constructor(server: Server, target: { host: string; port: number }) {
    this.#server = server;
    this.#target = target;
  }

  /** Starts a proxy on a free 127.0.0.1 port towards `target` (`https://host:port` or `host:port`). */
  static async start(target: string): Promise<FaultProxy> {
    const u = new URL(target.includes("://") ? target : `tcp://${target}`);
    const server = createServer();
    const proxy = new FaultProxy(server, { host: u.hostname, port: Number(u.port) });
    server.on("connection", (c) => proxy.#accept(c));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return proxy;
  }

  /** `https://127.0.0.1:<port>` of the proxy. */
  get url(): string {
    return `https://127.0.0.1:${(this.#server.address() as { port: number }).port}`;
  }

  /** Open connections right now. */
  get connections(): number {
    return this.#pairs.size;
  }

  #accept(client: Socket): void {
    this.accepted++;
    if (this.#refusing) {
      client.destroy();
      return;
    }
    const upstream = connect(this.#target.port, this.#target.host);
    const pair = { client, upstream };
    this.#pairs.add(pair);
    const forward = (from: Socket, to: Socket) =>
      from.on("data", (d: Buffer) => {
        if (!to.write(d)) from.pause();
      });
    forward(client, upstream);
    forward(upstream, client);
    client.on("drain", () => !this.#stalled && upstream.resume());
    upstream.on("drain", () => !this.#stalled && client.resume());
    const close = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on("close", close).on("error", close);
    upstream.on("close", close).on("error", close);
    if (this.#stalled) {
      client.pause();
      upstream.pause();
    }
  }

  /** Destroys every open connection at once (clients see a broken stream, usually mid-event). */
  cutAll(): void {
    for (const p of this.#pairs) {
      p.client.destroy();
      p.upstream.destroy();
    }
    this.#pairs.clear();
  }

  /** Stops moving bytes on all connections, present and future, without closing them. */
  stall(): void {
    this.#stalled = true;
    for (const p of this.#pairs) {
      p.client.pause();
      p.upstream.pause();
    }
  }

  /** Lets bytes flow again after {@link stall}. */
  resume(): void {
    this.#stalled = false;
    for (const p of this.#pairs) {
      p.client.resume();
      p.upstream.resume();
    }
  }

  /** While true, new connections are closed as soon as they open (the API server looks down). */
  refuse(on: boolean): void {
    this.#refusing = on;
  }

  /** Writes a copy of a kubeconfig whose clusters point at this proxy; returns its path. */
  async kubeconfig(source: string, target = `${source}.proxy-${(this.#server.address() as { port: number }).port}`): Promise<string> {
    const doc = parse(await readFile(source, "utf8")) as { clusters?: { cluster: { server: string } }[] };
    for (const c of doc.clusters ?? []) c.cluster.server = this.url;
    await writeFile(target, stringify(doc), { mode: 0o600 });
    return target;
  }

  /** Closes the proxy and every connection. */
  async stop(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
