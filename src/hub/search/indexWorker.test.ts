/**
 * The search index worker starts at every flood after its idle stop: what it loads is its
 * start-up CPU. It opens its own connection (`searchConnection`), not the whole store, whose
 * records, migrations and integrity code took ~130 ms of CPU to load and ran nothing it uses.
 */
import { describe, expect, it } from "vitest";
import { importGraph } from "../../../test/importGraph.js";

describe("search index worker", () => {
  it("loads its connection and the index, not the store's records and migrations", () => {
    const { modules } = importGraph("hub/search/indexWorker.ts");
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
