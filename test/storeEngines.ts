/**
 * Runs a store test file against both engines: `describe.each(STORE_ENGINES)` and, inside,
 * `const engine = useStoreEngine(name)`. Every test gets an empty store target (a new SQLite
 * file, or a new database on the file's one PostgreSQL server, started by `beforeAll` and
 * stopped by `afterAll`); `engine.open()` opens it, again after a `close()` to test reopening.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { PostgresStore } from "../src/store/postgres/PostgresStore.js";
import type { Store, StoreEngine } from "../src/store/Store.js";
import { SqliteStore } from "../src/store/sqlite/SqliteStore.js";
import { type PostgresServer, startPostgres } from "./postgresServer.js";

export const STORE_ENGINES: readonly StoreEngine[] = ["sqlite", "postgres"];

export interface EngineUnderTest {
  /** Opens the current test's store (the same data each time within one test). */
  open(): Store;
  /** The current test's target: the SQLite file's path or the database URL. */
  readonly target: string;
  /** The PostgreSQL server (postgres engine only). */
  readonly server: PostgresServer | undefined;
}

export function useStoreEngine(engine: StoreEngine): EngineUnderTest {
  let server: PostgresServer | undefined;
  let dir: string | undefined;
  let target = "";
  if (engine === "postgres") {
    beforeAll(async () => {
      server = await startPostgres();
    });
    afterAll(async () => {
      await server?.stop();
    });
  }
  beforeEach(async () => {
    if (server) {
      target = await server.database();
    } else {
      dir = mkdtempSync(join(tmpdir(), "dispatch-store-"));
      target = join(dir, "dispatch.db");
    }
  });
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  return {
    open: () => (engine === "postgres" ? PostgresStore.open(target) : SqliteStore.open(target)),
    get target() {
      return target;
    },
    get server() {
      return server;
    },
  };
}
