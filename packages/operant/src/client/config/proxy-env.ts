// The proxy kubectl would use for an API server when the kubeconfig sets no
// `proxy-url`: Go's ProxyFromEnvironment rules (golang.org/x/net/http/httpproxy),
// which client-go's default transport follows.
//
// - `HTTPS_PROXY` (else `https_proxy`) for an https server, `HTTP_PROXY` (else
//   `http_proxy`) for an http one; a value without a scheme means `http://`.
// - Never for `localhost` or a loopback address.
// - `NO_PROXY` (else `no_proxy`): a comma-separated list; `*` turns proxies off;
//   an IP address or CIDR range matches those addresses; a name `example.com`
//   matches it and its subdomains, `.example.com` (or `*.example.com`) only
//   subdomains; any entry may end in `:port` to match that port only.
import { isIP } from "node:net";
import { BlockList } from "node:net";

/**
 * A proxy chosen from the environment: its URL and the variable it came from.
 *
 * @example
 * ```ts
 * const p: EnvironmentProxy = { url: "http://proxy:3128", variable: "HTTPS_PROXY" };
 * ```
 */
export interface EnvironmentProxy {
  url: string;
  variable: string;
}

function firstSet(env: NodeJS.ProcessEnv, upper: string): [string, string] | undefined {
  for (const name of [upper, upper.toLowerCase()]) {
    const v = env[name]?.trim();
    if (v) return [name, v];
  }
  return undefined;
}

/** Host (lower-case, without IPv6 brackets) and port (the scheme's default when absent) of a URL. */
function hostPort(url: URL): { host: string; port: string } {
  const host = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return { host, port };
}

function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  const family = isIP(host);
  if (family === 4) return host.startsWith("127.");
  if (family === 6) {
    const loop = new BlockList();
    loop.addAddress("::1", "ipv6");
    loop.addSubnet("::ffff:127.0.0.0", 104, "ipv6");
    return loop.check(host, "ipv6");
  }
  return false;
}

/** Splits `entry` into host and optional port, the way Go's SplitHostPort would accept it. */
function splitEntry(entry: string): { host: string; port: string } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ?? "" };
  const m = /^([^:]+):(\d+)$/.exec(entry);
  if (m) return { host: m[1]!, port: m[2]! };
  return { host: entry, port: "" };
}

/**
 * Whether `NO_PROXY`-style `noProxy` exempts `server` from proxying.
 *
 * @example
 * ```ts
 * bypassesProxy(new URL("https://api.corp.example:6443"), "localhost,.corp.example"); // true
 * bypassesProxy(new URL("https://10.0.0.5:6443"), "10.0.0.0/8");                       // true
 * ```
 */
export function bypassesProxy(server: URL, noProxy: string): boolean {
  const { host, port } = hostPort(server);
  const family = isIP(host);
  for (const raw of noProxy.split(",")) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    const cidr = /^(.+)\/(\d{1,3})$/.exec(entry);
    if (cidr) {
      const net = cidr[1]!;
      const bits = Number(cidr[2]);
      const netFamily = isIP(net);
      if (netFamily === 0 || family !== netFamily || bits > (netFamily === 4 ? 32 : 128)) continue;
      const list = new BlockList();
      const type = netFamily === 4 ? "ipv4" : "ipv6";
      list.addSubnet(net, bits, type);
      if (list.check(host, type)) return true;
      continue;
    }
    const e = splitEntry(entry);
    if (e.port !== "" && e.port !== port) continue;
    if (isIP(e.host)) {
      if (family !== 0 && sameAddress(e.host, host)) return true;
      continue;
    }
    // A name: "example.com" matches it and its subdomains, ".example.com" and "*.example.com" only subdomains.
    let name = e.host.startsWith("*.") ? e.host.slice(1) : e.host;
    const matchItself = !name.startsWith(".");
    if (matchItself) name = `.${name}`;
    if (host.endsWith(name) || (matchItself && host === name.slice(1))) return true;
  }
  return false;
}

function sameAddress(a: string, b: string): boolean {
  const fa = isIP(a);
  if (fa !== isIP(b)) return false;
  const list = new BlockList();
  list.addAddress(a, fa === 4 ? "ipv4" : "ipv6");
  return list.check(b, fa === 4 ? "ipv4" : "ipv6");
}

/**
 * The proxy that kubectl would use for `server` given the environment `env`
 * (Go's ProxyFromEnvironment rules: `HTTPS_PROXY`/`HTTP_PROXY` by the
 * server's scheme, upper case first, never for localhost or loopback
 * addresses, `NO_PROXY` exemptions by name, suffix, IP, CIDR and port), or
 * `undefined` for a direct connection. A value without a scheme is taken as
 * `http://`. Only {@link loadClusterConfig} reads the environment, and only
 * when the kubeconfig's cluster has no `proxy-url` (which wins).
 *
 * @example
 * ```ts
 * proxyFromEnvironment("https://10.0.0.1:6443", { HTTPS_PROXY: "proxy:3128", NO_PROXY: "" });
 * // { url: "http://proxy:3128", variable: "HTTPS_PROXY" }
 * ```
 */
export function proxyFromEnvironment(server: string, env: NodeJS.ProcessEnv): EnvironmentProxy | undefined {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    return undefined;
  }
  const found = firstSet(env, url.protocol === "https:" ? "HTTPS_PROXY" : "HTTP_PROXY");
  if (!found) return undefined;
  if (isLoopback(hostPort(url).host)) return undefined;
  const noProxy = firstSet(env, "NO_PROXY");
  if (noProxy && bypassesProxy(url, noProxy[1])) return undefined;
  const [variable, value] = found;
  return { url: /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`, variable };
}
