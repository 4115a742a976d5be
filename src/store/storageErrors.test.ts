import { describe, expect, it } from "vitest";
import { PostgresError } from "./postgres/PostgresError.js";
import { describeStorageError, isStorageError } from "./storageErrors.js";

describe("what a PostgreSQL store failure says", () => {
  it("says the store is unavailable, not that it cannot be written, when the server is away", () => {
    // Met by reads as well (a listing, a search, a sign-in): "written" would be wrong there.
    const lost = new PostgresError("cannot connect to PostgreSQL at postgres://db:5432/dispatch", "08006");
    expect(isStorageError(lost)).toBe(true);
    expect(describeStorageError(lost)).toMatch(
      /^the PostgreSQL store is unavailable \(08006: .*retries by itself/,
    );
    expect(describeStorageError(lost)).not.toMatch(/cannot be written/);
  });

  it("names a read-only standby and a full disk for what they are", () => {
    expect(
      describeStorageError(new PostgresError("cannot execute INSERT in a read-only transaction", "25006")),
    ).toMatch(/read-only standby — point the hub at the primary/);
    expect(describeStorageError(new PostgresError("could not extend file", "53100"))).toMatch(/disk is full/);
  });
});
