/**
 * The search index worker starts at every flood after its idle stop: what it loads is its
 * start-up CPU. It opens its own connection (`searchConnection`), not the whole store, whose
 * records, migrations and integrity code took ~220 ms of CPU to load and ran nothing it uses.
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Every module of ours `file` loads, following its relative imports (not `import type`). */
function loaded(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(file, "utf8");
  for (const match of text.matchAll(
    /^import\s+(?!type\s)(?:[^"']*?\sfrom\s+)?["'](\.{1,2}\/[^"']+)\.js["']/gm,
  )) {
    loaded(join(dirname(file), `${match[1]}.ts`), seen);
  }
  return seen;
}

describe("search index worker", () => {
  it("loads its connection and the index, not the store's records and migrations", () => {
    const modules = [...loaded(join(SRC, "hub/search/indexWorker.ts"))].map((file) => relative(SRC, file));
    expect(modules).toContain("store/sqlite/SearchIndex.ts");
    for (const heavy of [
      "store/sqlite/SqliteStore.ts",
      "store/sqlite/migrations.ts",
      "store/sqlite/EventLog.ts",
      "store/sqlite/PeopleRecords.ts",
    ]) {
      expect(modules).not.toContain(heavy);
    }
  });
});
