/**
 * DNS rebinding defence: a page on evil.example whose name later resolves to this hub's
 * address would otherwise be same-origin with it. The Host header must name the hub: on a
 * loopback bind `localhost`, `127.0.0.1` or `[::1]`; on any other bind those, the bound
 * address itself, and the names configured with `DISPATCH_ALLOWED_HOSTS` / `--allowed-host`.
 */
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1"];
const WILDCARD_BINDS = new Set(["0.0.0.0", "::", ""]);

export class HostNames {
  private readonly allowed: Set<string>;

  constructor(options: { bind: string; extra: readonly string[] }) {
    this.allowed = new Set(LOOPBACK_NAMES);
    if (!WILDCARD_BINDS.has(options.bind)) this.allowed.add(options.bind.toLowerCase());
    for (const name of options.extra) if (name.trim()) this.allowed.add(name.trim().toLowerCase());
  }

  /** Undefined when the Host header names this hub, else why it does not. */
  refusal(hostHeader: string | undefined): string | undefined {
    if (!hostHeader) return "the request has no Host header";
    const name = hostName(hostHeader);
    if (this.allowed.has(name)) return undefined;
    return `Host '${hostHeader}' is not a name of this hub; add it with --allowed-host or DISPATCH_ALLOWED_HOSTS`;
  }
}

/** The name part of a Host header, without port or IPv6 brackets, lower-case. */
function hostName(header: string): string {
  const trimmed = header.trim().toLowerCase();
  if (trimmed.startsWith("[")) return trimmed.slice(1, trimmed.indexOf("]"));
  const colon = trimmed.lastIndexOf(":");
  // More than one colon: an IPv6 address without brackets, which no port can follow. Counted
  // rather than asked of `net.isIP`, whose IPv6 pattern took a restarted hub's first request
  // 24 ms to compile.
  if (colon !== trimmed.indexOf(":")) return trimmed;
  return colon >= 0 ? trimmed.slice(0, colon) : trimmed;
}
