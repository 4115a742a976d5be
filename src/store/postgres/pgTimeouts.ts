/**
 * How long the PostgreSQL store waits for its server. Each store call blocks the hub (the store
 * is synchronous), so a server that stops answering (packets dropped, a hung proxy) must not
 * block it without bound: every call has a deadline, connecting has libpq's `connect_timeout`,
 * the server cancels a statement past the same deadline (`statement_timeout`), and TCP
 * keepalives and `tcp_user_timeout` let the kernel find a dead peer on an idle or stuck link.
 * Settings given in the store URL's query (`?keepalives_idle=60`) win over these defaults.
 */
import { z } from "zod";
import { DispatchError } from "../../core/errors.js";

export interface PgTimeouts {
  /** The longest one store call waits for the server (ms). */
  queryMs: number;
  /** The longest opening a connection waits (ms; libpq counts whole seconds, at least 2). */
  connectMs: number;
}

const DEFAULT_QUERY_MS = 10_000;
const DEFAULT_CONNECT_MS = 5_000;
/** Idle seconds before the first keepalive probe, seconds between probes, probes lost = dead. */
const KEEPALIVE = { idle: 10, interval: 5, count: 3 };

const Millis = z.coerce.number().int().min(100).max(3_600_000);

function millis(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const parsed = Millis.safeParse(raw);
  if (!parsed.success) {
    throw new DispatchError(
      "bad_request",
      `${name}='${raw}' is not a time in milliseconds between 100 and 3600000: give e.g. ${name}=${fallback}, or leave it unset`,
    );
  }
  return parsed.data;
}

/** `DISPATCH_PG_TIMEOUT_MS` and `DISPATCH_PG_CONNECT_TIMEOUT_MS`, checked. */
export function pgTimeouts(env: NodeJS.ProcessEnv = process.env): PgTimeouts {
  return {
    queryMs: millis(env, "DISPATCH_PG_TIMEOUT_MS", DEFAULT_QUERY_MS),
    connectMs: millis(env, "DISPATCH_PG_CONNECT_TIMEOUT_MS", DEFAULT_CONNECT_MS),
  };
}

/** `url` with libpq's timeout, keepalive and naming settings added, except those it sets itself. */
export function withTimeouts(url: string, timeouts: PgTimeouts): string {
  const settings: Record<string, number | string> = {
    // Names the hub's connections in `pg_stat_activity` (an `application_name` given wins).
    fallback_application_name: "dispatch",
    connect_timeout: Math.max(2, Math.ceil(timeouts.connectMs / 1000)),
    keepalives: 1,
    keepalives_idle: KEEPALIVE.idle,
    keepalives_interval: KEEPALIVE.interval,
    keepalives_count: KEEPALIVE.count,
    // Data sent and not acknowledged for this long: the connection is dead.
    tcp_user_timeout: timeouts.queryMs,
  };
  const [base, hash] = splitOnce(url, "#");
  const [path, query] = splitOnce(base, "?");
  const given = new Set(
    (query ?? "")
      .split("&")
      .filter(Boolean)
      .map((pair) => decodeURIComponent(splitOnce(pair, "=")[0])),
  );
  const added = Object.entries(settings)
    .filter(([name]) => !given.has(name))
    .map(([name, value]) => `${name}=${value}`);
  const all = [...(query ? [query] : []), ...added].join("&");
  return `${path}${all ? `?${all}` : ""}${hash === undefined ? "" : `#${hash}`}`;
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
