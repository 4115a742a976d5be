/**
 * One synchronous PostgreSQL connection through libpq (pg-native): the store's interface is
 * synchronous (see `Store.ts`), so every query blocks until the server answers, exactly as a
 * SQLite call blocks on the disk. Statements are prepared once per connection by name. A lost
 * connection is dropped and opened again on the next query, so a restarted server heals like a
 * disk that had filled up: the failed write is reported, the next one succeeds.
 *
 * No call blocks without bound (`pgTimeouts.ts`, `pgWait.ts`): a server that does not answer
 * in time fails the call like a lost connection. After a failed connect, or a call that timed
 * out, calls fail at once (with the same error) for a pause growing from 1 s to 10 s before
 * the next connect is tried, so an unreachable server costs the hub one connect timeout per
 * pause rather than one per call.
 */
import { createRequire } from "node:module";
import { DispatchError } from "../../core/errors.js";
import { CONNECTION_FAILURE, PostgresError } from "./PostgresError.js";
import { type PgTimeouts, pgTimeouts, withTimeouts } from "./pgTimeouts.js";
import { finish } from "./pgWait.js";

/** The part of libpq's binding (`pg-native`'s `pq`) this module uses. */
interface Libpq {
  sendQuery(sql: string): boolean;
  sendQueryParams(sql: string, params: unknown[]): boolean;
  sendPrepare(name: string, sql: string, nParams: number): boolean;
  sendQueryPrepared(name: string, params: unknown[]): boolean;
  setNonBlocking(on: boolean): boolean;
  flush(): number;
  consumeInput(): boolean;
  isBusy(): boolean;
  getResult(): boolean;
  clear(): void;
  resultErrorMessage(): string;
  errorMessage(): string;
  resultErrorFields(): { sqlState?: string; constraintName?: string } | null;
  cmdTuples(): string;
  ntuples(): number;
  nfields(): number;
  fname(column: number): string;
  ftype(column: number): number;
  getvalue(row: number, column: number): string;
  getisnull(row: number, column: number): boolean;
  finish(): void;
}

interface NativeClient {
  pq: Libpq;
  connectSync(url: string): void;
  end(): void;
}

type NativeClientClass = new () => NativeClient;

let nativeClient: NativeClientClass | undefined;

/** pg-native, loaded on first use: it is optional, and only a PostgreSQL store needs it. */
function loadNative(): NativeClientClass {
  if (nativeClient) return nativeClient;
  try {
    nativeClient = createRequire(import.meta.url)("pg-native") as NativeClientClass;
  } catch (err) {
    throw new DispatchError(
      "internal",
      "the PostgreSQL store needs pg-native, which is not installed or did not build: install libpq-dev " +
        "(apt-get install libpq-dev) and run `npm install` in the dispatch directory",
      { cause: err },
    );
  }
  return nativeClient;
}

/** Parsers for the text form of the column types the store reads; anything else stays a string. */
const PARSERS: Record<number, (text: string) => unknown> = {
  16: (t) => t === "t", // bool
  20: Number, // int8: seqs and byte counts stay far below 2^53
  21: Number, // int2
  23: Number, // int4
  700: Number, // float4
  701: Number, // float8
  1700: Number, // numeric (SUM of int8)
  17: (t) => Buffer.from(t.slice(2), "hex"), // bytea, hex output (the server default)
};

/** A parameter as libpq's text protocol takes it: bytes as bytea hex, absent as NULL. */
export function param(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) {
    const buffer = Buffer.isBuffer(value)
      ? value
      : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return `\\x${buffer.toString("hex")}`;
  }
  return String(value);
}

/** After the server's own `statement_timeout`, how much longer a call waits for its answer. */
const CANCEL_GRACE_MS = 1_000;
const FIRST_PAUSE_MS = 1_000;
const LONGEST_PAUSE_MS = 10_000;

export class PgConnection {
  private client: NativeClient | undefined;
  private readonly prepared = new Set<string>();
  private depth = 0;
  private readonly timeouts: PgTimeouts;
  /** Calls are held to `timeouts.queryMs` (not yet while migrations run). */
  private bounded = false;
  /** While `performance.now()` is before this, calls fail at once with `lastFailure`. */
  private pausedUntil = 0;
  private pauseMs = FIRST_PAUSE_MS;
  private lastFailure: PostgresError | undefined;

  constructor(
    private readonly url: string,
    /** Runs on every new connection, the first and each one after a loss (session-level state). */
    private readonly onConnect?: (connection: PgConnection) => void,
    timeouts: PgTimeouts = pgTimeouts(),
  ) {
    this.timeouts = timeouts;
    loadNative();
    this.connect();
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

  close(): void {
    const client = this.client;
    this.client = undefined;
    client?.end();
  }

  private connect(): NativeClient {
    if (this.client) return this.client;
    if (this.lastFailure && performance.now() < this.pausedUntil) throw this.lastFailure;
    const Client = loadNative();
    const client = new Client();
    try {
      client.connectSync(withTimeouts(this.url, this.timeouts));
    } catch (err) {
      throw this.pause(
        new PostgresError(
          `cannot connect to PostgreSQL at ${redact(this.url)}: ${oneLine((err as Error).message)}`,
          CONNECTION_FAILURE,
        ),
      );
    }
    client.pq.setNonBlocking(true);
    this.prepared.clear();
    this.client = client;
    // libpq prints notices to stderr ("already exists, skipping"); only warnings matter.
    this.run("SET client_min_messages = warning", []);
    if (this.bounded) this.run(`SET statement_timeout = ${this.timeouts.queryMs}`, []);
    if (this.onConnect) {
      try {
        this.onConnect(this);
      } catch (err) {
        this.close();
        throw err;
      }
    }
    return client;
  }

  private run(sql: string, params: readonly unknown[], name?: string): Libpq {
    const { pq } = this.connect();
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
    this.pauseMs = FIRST_PAUSE_MS;
    return pq;
  }

  /** Sends a command and waits for it; a server silent past the deadline drops the connection. */
  private wait(pq: Libpq, send: () => boolean, deadline: number): void {
    // The previous command's result must not answer for this one.
    pq.clear();
    // A send that failed left nothing to wait for: `check` reports libpq's reason.
    if (!send() || finish(pq, deadline) !== "timeout") return;
    this.drop();
    throw this.pause(
      new PostgresError(
        `PostgreSQL at ${redact(this.url)} did not answer within ${Math.round(this.timeouts.queryMs / 1000)} s ` +
          "(DISPATCH_PG_TIMEOUT_MS): check that the server is up and the network to it works",
        CONNECTION_FAILURE,
      ),
    );
  }

  /** Calls fail at once with `failure` for the next pause (growing while failures go on). */
  private pause(failure: PostgresError): PostgresError {
    this.lastFailure = failure;
    this.pausedUntil = performance.now() + this.pauseMs;
    this.pauseMs = Math.min(this.pauseMs * 2, LONGEST_PAUSE_MS);
    return failure;
  }

  private drop(): void {
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
    // Open a new connection on the next query (a restarted server, a dropped socket).
    if (code === CONNECTION_FAILURE || code.startsWith("08") || code.startsWith("57P")) this.drop();
    throw new PostgresError(oneLine(message), code, fields?.constraintName);
  }
}

function readRows<R>(pq: Libpq): R[] {
  const count = pq.ntuples();
  if (count === 0) return [];
  const columns = pq.nfields();
  const names: string[] = [];
  const parsers: ((text: string) => unknown)[] = [];
  for (let c = 0; c < columns; c++) {
    names.push(pq.fname(c));
    parsers.push(PARSERS[pq.ftype(c)] ?? String);
  }
  const rows: R[] = new Array(count);
  for (let r = 0; r < count; r++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < columns; c++) {
      row[names[c] as string] = pq.getisnull(r, c)
        ? null
        : (parsers[c] as (t: string) => unknown)(pq.getvalue(r, c));
    }
    rows[r] = row as R;
  }
  return rows;
}

/** libpq's multi-line messages on one line (logs, `dispatch status`). */
function oneLine(message: string): string {
  return message.trim().replace(/\s*\n\s*/g, " ");
}

/** The URL without its password, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, "//$1:***@");
}
