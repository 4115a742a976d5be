/**
 * What a flood leaves behind in the store's memory: 64 MiB of output appended through a real
 * `SqliteStore` (on disk, in a child process, as the hub appends it), then the process's
 * resident memory compared with before. SQLite keeps its page cache full once filled; with the
 * 16 MB cache better-sqlite3 builds in, the flood left that much behind for good.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const STORE = fileURLToPath(new URL("../dist/src/store/sqlite/SqliteStore.js", import.meta.url));
const MIB = 1024 * 1024;
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** RSS growth (bytes) across a 64 MiB flood; `cacheKiB` overrides the store's cache when set. */
function growthAfterFlood(cacheKiB?: number): number {
  const dir = mkdtempSync(join(tmpdir(), "dispatch-page-cache-"));
  dirs.push(dir);
  const override = cacheKiB === undefined ? "" : `db.pragma("main.cache_size = -${cacheKiB}");`;
  const script = `
    import { SqliteStore } from ${JSON.stringify(STORE)};
    const store = SqliteStore.open(${JSON.stringify(join(dir, "dispatch.db"))});
    const db = store["db"];
    ${override}
    store.insertSession({ id: "s1", name: "s1", kind: "terminal", host: "local", status: "running",
      exitCode: null, reason: null, command: ["cat"], cwd: "/tmp", cols: 80, rows: 24, pid: 1,
      foreground: null, createdAt: 1, lastActivityAt: 1, lastSeq: 0, bytes: 0, preview: "",
      env: {}, meta: {}, project: null });
    const chunk = Buffer.alloc(16 * 1024, "flood line\\n");
    let seq = 0;
    const before = process.memoryUsage.rss();
    for (let batch = 0; batch < 256; batch++) {
      store.appendBatch(Array.from({ length: 16 }, () =>
        ({ session: "s1", seq: ++seq, ts: Date.now(), type: "output", data: chunk })));
    }
    gc();
    process.stdout.write(String(process.memoryUsage.rss() - before));
    store.close();
  `;
  const run = spawnSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], {
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  return Number(run.stdout);
}

describe("the store's page cache", () => {
  it("is not left holding a flood: SQLite's 2 MB, not better-sqlite3's 16 MB", () => {
    const withBuiltIn = growthAfterFlood(16_000);
    const ours = growthAfterFlood();
    expect(withBuiltIn).toBeGreaterThan(14 * MIB);
    expect(ours).toBeLessThan(withBuiltIn - 10 * MIB);
  });
});
