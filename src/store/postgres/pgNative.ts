/**
 * libpq through pg-native, loaded on first use (it is optional: only a PostgreSQL store needs
 * it), and the two ways to open a connection: synchronously, while the hub starts and has
 * nothing to answer yet, and on libuv's thread pool (libpq's `PQconnectdb` off the event loop),
 * for a reconnect while the hub serves: a server that does not answer would otherwise freeze
 * every WebSocket and terminal for the whole connect timeout.
 */
import { createRequire } from "node:module";
import { DispatchError } from "../../core/errors.js";

/** The part of libpq's binding (`pg-native`'s `pq`) the store uses. */
export interface Libpq {
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

export interface NativeClient {
  pq: Libpq;
  connectSync(url: string): void;
  /** `PQconnectdb` on a thread-pool thread; `done` gets libpq's error if it failed. */
  connect(url: string, done: (err?: Error) => void): void;
  end(): void;
}

type NativeClientClass = new () => NativeClient;

let nativeClient: NativeClientClass | undefined;

/** pg-native's client class; throws saying how to install it when it is missing. */
export function loadNative(): NativeClientClass {
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

/** Opens a connection, blocking until libpq has one (or its `connect_timeout` passed). */
export function openSync(url: string): NativeClient {
  const Client = loadNative();
  const client = new Client();
  client.connectSync(url);
  return client;
}

/** Opens a connection without blocking the event loop; rejects with libpq's reason. */
export function openInBackground(url: string): Promise<NativeClient> {
  const Client = loadNative();
  const client = new Client();
  return new Promise((resolve, reject) => {
    client.connect(url, (err) => {
      if (!err) {
        resolve(client);
        return;
      }
      // A failed connect still holds libpq's connection object (and a reference to the client).
      try {
        client.end();
      } catch {
        // Nothing left to free.
      }
      reject(err);
    });
  });
}
