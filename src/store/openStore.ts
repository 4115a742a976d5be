/**
 * Which store a hub opens: the SQLite file in its data directory (the default), or a
 * PostgreSQL database named by a `postgres://` URL (`dispatch serve --store URL` or
 * `DISPATCH_STORE`), which several hub nodes can share.
 */
import { DispatchError } from "../core/errors.js";
import type { Store } from "./Store.js";
import { openChecked } from "./sqlite/recovery.js";

export interface OpenedStore {
  store: Store;
  /** Set when a damaged SQLite file was moved aside and recovered (see `sqlite/recovery.ts`). */
  recovery?: { damagedFile: string; reportFile: string; report: string };
}

/** Whether `spec` names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(spec: string): boolean {
  return /^postgres(ql)?:\/\//i.test(spec);
}

/**
 * Opens the store `spec` names: a `postgres://` URL, `sqlite` (or nothing) for the file at
 * `sqliteFile`, or a path to another SQLite file. PostgreSQL's code is imported only for a
 * `postgres://` URL: a hub on SQLite never evaluates it.
 */
export async function openStore(
  spec: string | undefined,
  sqliteFile: string,
  options: { cluster?: boolean } = {},
): Promise<OpenedStore> {
  const value = spec?.trim() ?? "";
  if (options.cluster && !isPostgresUrl(value)) {
    throw new DispatchError(
      "bad_request",
      "a cluster node (DISPATCH_NODE) needs a PostgreSQL store every node shares: set DISPATCH_STORE=postgres://… or --store",
    );
  }
  if (isPostgresUrl(value)) {
    const { PostgresStore } = await import("./postgres/PostgresStore.js");
    return { store: PostgresStore.open(value, { node: options.cluster ? "cluster" : "sole" }) };
  }
  if (value === "" || value === "sqlite") return openChecked(sqliteFile);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    throw new DispatchError(
      "bad_request",
      `unknown store '${value.replace(/\/\/.*@/, "//…@")}': use a postgres://user@host/database URL, or leave it unset for the SQLite file in the data directory`,
    );
  }
  return openChecked(value);
}
