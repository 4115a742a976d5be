/**
 * One synchronous PostgreSQL connection through libpq (pg-native): the store's interface is
 * synchronous (see `Store.ts`), so every query blocks until the server answers, exactly as a
 * SQLite call blocks on the disk. Statements are prepared once per connection by name.
 *
 * No call blocks without bound (`pgTimeouts.ts`, `pgWait.ts`): a server that does not answer
 * in time fails the call like a lost connection. A lost connection is dropped and a new one
 * opened in the background (`pgNative.ts`: libpq connects on a thread-pool thread), so the hub
 * keeps serving however long the connect takes; until it is open, calls fail at once with the
 * same error saying why, and the first call after it succeeds. So a restarted server heals like
 * a disk that had filled up: the failed write is reported, a later one succeeds. When the next
 * connect is tried, and what calls fail with meanwhile: `pgReopening.ts`.
 */
import {
  CONNECTION_FAILURE,
  cannotConnect,
  lostConnection,
  oneLine,
  PostgresError,
  redact,
  silentServer,
} from "./PostgresError.js";
import { CHECK_LIMIT_MS, IdleCheck } from "./pgIdleCheck.js";
import { type Libpq, loadNative, type NativeClient, openInBackground, openSync } from "./pgNative.js";
import { Reopening } from "./pgReopening.js";
import { param, readRows } from "./pgRows.js";
import { type PgTimeouts, pgTimeouts, withTimeouts } from "./pgTimeouts.js";
import { finish } from "./pgWait.js";

export { param } from "./pgRows.js";

/** After the server's own `statement_timeout`, how much longer a call waits for its answer. */
const CANCEL_GRACE_MS = 1_000;

export class PgConnection {
  private client: NativeClient | undefined;
  private readonly prepared = new Set<string>();
  private depth = 0;
  private readonly timeouts: PgTimeouts;
  /** Calls are held to `timeouts.queryMs` (not yet while migrations run). */
  private bounded = false;
  /** Without a connection: what calls fail with, and when a new one is opened. */
  private readonly reopening: Reopening;
  /** Checks the connection while it is idle, so a silent link is found before a call meets it. */
  private readonly idle: IdleCheck;
  /** How long a check waits for its answer: `CHECK_LIMIT_MS`, or the call timeout if shorter. */
  private readonly checkLimitMs: number;
  /** Told each time a connection is open again after a loss (`onReopen`). */
  private readonly reopenListeners = new Set<() => void>();

  constructor(
    private readonly url: string,
    /** Runs on every new connection, the first and each one after a loss (session-level state). */
    private readonly onConnect?: (connection: PgConnection) => void,
    timeouts: PgTimeouts = pgTimeouts(),
  ) {
    this.timeouts = timeouts;
    this.reopening = new Reopening({
      url,
      open: () => openInBackground(withTimeouts(this.url, this.timeouts)),
      connected: () => this.client !== undefined,
      setUp: (client) => this.setUp(client),
      drop: () => this.drop(),
      reopened: () => {
        for (const listener of this.reopenListeners) listener();
      },
    });
    const limitMs = Math.min(timeouts.queryMs, CHECK_LIMIT_MS);
    this.checkLimitMs = limitMs;
    this.idle = new IdleCheck({
      limitMs,
      due: () => (this.bounded && !this.reopening.closed && this.depth === 0 ? this.client?.pq : undefined),
      silent: () => this.reopening.lost(silentServer(this.url, limitMs, "an idle connection's check"), true),
      answered: (pq) => {
        try {
          this.check(pq);
        } catch {
          // A lost connection is being opened again (`check`); the next call says why.
        } finally {
          if (this.client) this.idle.used();
        }
      },
    });
    loadNative();
    // The first connection blocks: the hub is starting (migrations come next) and serves no one yet.
    let client: NativeClient;
    try {
      client = openSync(withTimeouts(this.url, this.timeouts));
    } catch (err) {
      throw cannotConnect(this.url, err);
    }
    try {
      this.setUp(client);
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /**
   * From now on every call is held to the timeout, and the server cancels a statement past it:
   * after migrations, which may rightly take longer on a large database.
   */
  bound(): void {
    this.bounded = true;
    this.run(`SET statement_timeout = ${this.timeouts.queryMs}`, []);
  }

  /** Rows of one statement; `name` prepares it once per connection and runs it by name. */
  query<R>(sql: string, params: readonly unknown[] = [], name?: string): R[] {
    const pq = this.run(sql, params, name);
    return readRows<R>(pq);
  }

  /** Runs a statement; returns how many rows it changed. */
  execute(sql: string, params: readonly unknown[] = [], name?: string): number {
    const pq = this.run(sql, params, name);
    return Number(pq.cmdTuples()) || 0;
  }

  /** Runs `fn` in one transaction (nested calls join the outer one). */
  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.run("BEGIN", []);
    this.depth++;
    try {
      const result = fn();
      this.run("COMMIT", []);
      return result;
    } catch (err) {
      if (this.client) {
        try {
          this.run("ROLLBACK", []);
        } catch {
          // The connection is gone: the server rolls back by itself.
        }
      }
      throw err;
    } finally {
      this.depth--;
    }
  }

  /** Ends the connection and any reconnecting; a connect still running is closed when it ends. */
  close(): void {
    this.reopening.close();
    this.drop();
  }

  /**
   * While a new connection is being opened: why the last one went (or the last connect failed),
   * and since when. No write may have met it yet (an idle check found it), so `dispatch status`
   * asks.
   */
  reconnecting(): { problem: string; since: number } | undefined {
    return this.reopening.reconnecting();
  }

  /**
   * Calls `listener` each time a new connection is open and set up after a loss (not the first):
   * writes that failed meanwhile can go now instead of at their next retry. Returns its removal.
   */
  onReopen(listener: () => void): () => void {
    this.reopenListeners.add(listener);
    return () => this.reopenListeners.delete(listener);
  }

  /** The open connection, or the reason there is none (a new one is on its way). */
  private connection(): NativeClient {
    if (this.client) return this.client;
    if (this.reopening.closed) {
      throw new PostgresError(`the PostgreSQL store at ${redact(this.url)} is closed`, CONNECTION_FAILURE);
    }
    throw (
      this.reopening.reason ??
      new PostgresError(`no connection to PostgreSQL at ${redact(this.url)}`, CONNECTION_FAILURE)
    );
  }

  /** Session settings and `onConnect` on a connection just opened; it serves calls from here on. */
  private setUp(client: NativeClient): void {
    client.pq.setNonBlocking(true);
    this.prepared.clear();
    this.client = client;
    // libpq prints notices to stderr ("already exists, skipping"); only warnings matter.
    this.run("SET client_min_messages = warning", []);
    if (this.bounded) this.run(`SET statement_timeout = ${this.timeouts.queryMs}`, []);
    this.onConnect?.(this);
  }

  private run(sql: string, params: readonly unknown[], name?: string): Libpq {
    const { pq } = this.connection();
    const checked = this.idle.settle(pq);
    if (checked === "timeout") {
      throw this.reopening.lost(silentServer(this.url, this.checkLimitMs, "a connection check"), true);
    }
    // The check's own failure (a backend ended by the server) fails this call, saying why.
    if (checked !== "none") this.check(pq);
    const values = params.map(param);
    const deadline = this.bounded
      ? performance.now() + this.timeouts.queryMs + CANCEL_GRACE_MS
      : Number.POSITIVE_INFINITY;
    if (name !== undefined) {
      if (!this.prepared.has(name)) {
        this.wait(pq, () => pq.sendPrepare(name, sql, values.length), deadline);
        this.check(pq);
        this.prepared.add(name);
      }
      this.wait(pq, () => pq.sendQueryPrepared(name, values), deadline);
    } else if (values.length === 0) {
      this.wait(pq, () => pq.sendQuery(sql), deadline);
    } else {
      this.wait(pq, () => pq.sendQueryParams(sql, values), deadline);
    }
    this.check(pq);
    this.idle.used();
    return pq;
  }

  /** Sends a command and waits for it; a server silent past the deadline loses the connection. */
  private wait(pq: Libpq, send: () => boolean, deadline: number): void {
    // The previous command's result must not answer for this one.
    pq.clear();
    // A send that failed left nothing to wait for: `check` reports libpq's reason.
    if (!send() || finish(pq, deadline) !== "timeout") return;
    throw this.reopening.lost(silentServer(this.url, this.timeouts.queryMs, "DISPATCH_PG_TIMEOUT_MS"), true);
  }

  private drop(): void {
    this.idle.stop();
    const client = this.client;
    this.client = undefined;
    try {
      client?.end();
    } catch {
      // Already closed.
    }
  }

  private check(pq: Libpq): void {
    const message = pq.resultErrorMessage() || pq.errorMessage();
    if (!message) return;
    const fields = pq.resultErrorFields();
    const code = fields?.sqlState ?? CONNECTION_FAILURE;
    const error = new PostgresError(oneLine(message), code, fields?.constraintName);
    // A restarted server, a dropped socket: this call fails with libpq's reason, later ones
    // with the same reason while a new connection is opened.
    if (code === CONNECTION_FAILURE || code.startsWith("08") || code.startsWith("57P")) {
      this.reopening.lost(lostConnection(this.url, message), false);
    }
    throw error;
  }
}
