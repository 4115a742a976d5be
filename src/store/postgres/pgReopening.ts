/**
 * Opening the PostgreSQL connection again after a loss, in the background, so the hub keeps
 * serving however long the connect takes (libpq connects on a thread-pool thread, `pgNative.ts`).
 * Until a new connection is open, calls fail at once with `failure`, saying why. A lost
 * connection is opened again at once; after a failed connect, or a call that timed out, the next
 * connect waits a pause growing from 1 s to 10 s (reset once a connection is open), so an
 * unreachable server is tried at most once per pause. Kept apart from the connection's calls
 * (`PgConnection.ts`) because this is a state machine of its own: timers and a connect running,
 * each of which may meet a close or a new loss.
 */
import { cannotConnect } from "./PostgresError.js";
import type { NativeClient } from "./pgNative.js";

/** The first pause after a failed connect, doubled after each one that fails too. */
const FIRST_PAUSE_MS = 1_000;
/** The longest pause: a server back up is found within this. */
const LONGEST_PAUSE_MS = 10_000;

export interface ReopeningOptions {
  /** The server's URL, named (redacted) in a failed connect's error. */
  url: string;
  /** Opens a new connection off the event loop. */
  open: () => Promise<NativeClient>;
  /** A connection is open: nothing to reopen. */
  connected: () => boolean;
  /**
   * Makes `client` the connection (its settings, `onConnect`); throws if the server or
   * `onConnect` refuses it, the connection then still open (`connected`) or already lost.
   */
  setUp: (client: NativeClient) => void;
  /** Ends the open connection, if any. */
  drop: () => void;
  /** A new connection is open and set up after a loss. */
  reopened: () => void;
}

export class Reopening {
  /** Without a connection: what every call fails with until a new one is open. */
  private failure: Error | undefined;
  /** Without a connection: since when (ms since the epoch). */
  private lostAt: number | undefined;
  /** The next connect starts at this `performance.now()`. */
  private pausedUntil = 0;
  private pauseMs = FIRST_PAUSE_MS;
  /** The next connect, waiting for its time. */
  private retry: NodeJS.Timeout | undefined;
  /** A connect is running on the thread pool, or the new connection is being set up. */
  private opening = false;
  private ended = false;

  constructor(private readonly options: ReopeningOptions) {}

  /** The store was closed: nothing is opened again (a connect still running is ended when it ends). */
  get closed(): boolean {
    return this.ended;
  }

  /** Why there is no connection, while a new one is on its way (undefined once open). */
  get reason(): Error | undefined {
    return this.failure;
  }

  /** While a new connection is on its way: why the last one went, and since when. */
  reconnecting(): { problem: string; since: number } | undefined {
    if (this.ended || this.options.connected() || !this.failure) return undefined;
    return { problem: `reconnecting: ${this.failure.message}`, since: this.lostAt ?? Date.now() };
  }

  /**
   * The connection is gone: calls fail at once with `failure`, and a new connection is opened
   * in the background, at once or (`pause`) after the next pause. Returns `failure` to throw.
   */
  lost(failure: Error, pause: boolean): Error {
    this.options.drop();
    this.failure = failure;
    this.lostAt ??= Date.now();
    if (pause) this.pauseNext();
    else this.pausedUntil = performance.now();
    this.schedule();
    return failure;
  }

  /** Ends any reconnecting; a connect still running ends its connection when it is open. */
  close(): void {
    this.ended = true;
    clearTimeout(this.retry);
    this.retry = undefined;
  }

  private pauseNext(): void {
    this.pausedUntil = performance.now() + this.pauseMs;
    this.pauseMs = Math.min(this.pauseMs * 2, LONGEST_PAUSE_MS);
  }

  private schedule(): void {
    // A connect under way schedules the next one itself if it fails.
    if (this.ended || this.opening || this.options.connected()) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(
      () => {
        this.retry = undefined;
        this.reopen();
      },
      Math.max(0, this.pausedUntil - performance.now()),
    );
    // A store closed without `close()` (a test, a failed start) must not keep the process alive.
    this.retry.unref();
  }

  private reopen(): void {
    if (this.ended || this.opening || this.options.connected()) return;
    this.opening = true;
    this.options.open().then(
      (client) => this.setUp(client),
      (err: unknown) => {
        this.opening = false;
        if (this.ended) return;
        this.lost(cannotConnect(this.options.url, err), true);
      },
    );
  }

  private setUp(client: NativeClient): void {
    if (this.ended) {
      this.opening = false;
      endQuietly(client);
      return;
    }
    let reopened = false;
    try {
      this.options.setUp(client);
      // Open: the next loss starts the pauses from the first again.
      this.failure = undefined;
      this.lostAt = undefined;
      this.pauseMs = FIRST_PAUSE_MS;
      reopened = true;
    } catch (err) {
      if (this.options.connected()) {
        // Refused by the server or `onConnect` (a lock held elsewhere): calls say why.
        this.options.drop();
        this.failure = err instanceof Error ? err : new Error(String(err));
        this.lostAt ??= Date.now();
        this.pauseNext();
      } else if (this.pausedUntil <= performance.now()) {
        // Lost while being set up: a server that drops every new connection gets pauses too.
        this.pauseNext();
      }
    } finally {
      this.opening = false;
      this.schedule();
    }
    if (reopened) this.options.reopened();
  }
}

function endQuietly(client: NativeClient): void {
  try {
    client.end();
  } catch {
    // Already closed.
  }
}
