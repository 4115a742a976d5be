/**
 * LISTEN on the cluster's channels over a separate, asynchronous `pg` connection. The store's
 * own connection is libpq's blocking one (pg-native): it only sees notifications when it runs
 * a query, so an idle node would hear nothing; `pg` delivers each notification as an event on
 * the loop the moment it arrives. A lost connection is opened again with backoff, and
 * `onReconnect` runs after each re-LISTEN: notifications sent meanwhile are gone, so whoever
 * depends on them re-reads what they would have said.
 */

import type pg from "pg";
import type { Logger } from "pino";
import { backoffDelay } from "../../core/backoff.js";
import { importModule } from "../../core/importModule.js";
import { CHECK_IDLE_MS } from "../../store/postgres/pgIdleCheck.js";
import { pgTimeouts } from "../../store/postgres/pgTimeouts.js";

/** A node deaf to its peers for long serves stale views: retries stay at most this far apart. */
const RETRY_MAX_MS = 5_000;

export interface ClusterListenerOptions {
  url: string;
  channels: readonly string[];
  logger: Logger;
  onNotify(channel: string, payload: string): void;
  /** After a reconnect (not the first connect): notifications may have been missed. */
  onReconnect(): void;
}

export class ClusterListener {
  private client: pg.Client | undefined;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The next `SELECT 1`: a link gone silent behind a proxy answers the keepalives, not queries. */
  private check: NodeJS.Timeout | undefined;
  private closed = false;
  private connectedOnce = false;

  constructor(private readonly options: ClusterListenerOptions) {}

  /** Resolves once listening (the first time); later losses reconnect in the background. */
  async start(): Promise<void> {
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    clearTimeout(this.check);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const { url, channels, logger } = this.options;
    // Loaded on first use: only a cluster node needs it, and loading it costs every hub's
    // start-up tens of ms (it probes `navigator`, which makes Node 20 load undici).
    const { default: pgModule } = await importModule<{ default: typeof pg }>("pg");
    const timeouts = pgTimeouts();
    // Bounded like the store's own connection (`pgTimeouts.ts`): a server that stops answering
    // fails the connect or the LISTEN, and keepalives find a dead idle link; then it reconnects.
    const client = new pgModule.Client({
      connectionString: url,
      connectionTimeoutMillis: timeouts.connectMs,
      query_timeout: timeouts.queryMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    client.on("notification", (message) => {
      this.options.onNotify(message.channel, message.payload ?? "");
    });
    client.on("error", (err) => {
      logger.warn({ err }, "cluster LISTEN connection failed; reconnecting");
      this.lost(client);
    });
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      for (const channel of channels) await client.query(`LISTEN ${channel}`);
    } catch (err) {
      // Opened but not listening (a LISTEN's answer never came): nothing else would ever end it,
      // and each retry would leave one more. Not awaited: a silent link never answers the goodbye.
      client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.attempt = 0;
    this.checkLater(client);
    if (this.connectedOnce) this.options.onReconnect();
    this.connectedOnce = true;
  }

  /**
   * As the store's idle check (`pgIdleCheck.ts`): no answer within the client's `query_timeout`
   * (`DISPATCH_PG_TIMEOUT_MS`), the link is lost.
   */
  private checkLater(client: pg.Client): void {
    clearTimeout(this.check);
    this.check = setTimeout(() => {
      if (this.client !== client) return;
      client.query("SELECT 1").then(
        () => this.checkLater(client),
        (err: unknown) => {
          this.options.logger.warn(
            { err },
            "cluster LISTEN connection did not answer its check; reconnecting",
          );
          this.lost(client);
        },
      );
    }, CHECK_IDLE_MS);
    this.check.unref();
  }

  private lost(client: pg.Client): void {
    if (this.client !== client || this.closed) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    this.retry();
  }

  private retry(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.connect().catch((err: unknown) => {
          this.options.logger.warn({ err }, "cluster LISTEN reconnect failed");
          this.attempt += 1;
          this.retry();
        });
      },
      backoffDelay(this.attempt, Math.random, RETRY_MAX_MS),
    );
    this.timer.unref();
  }
}
