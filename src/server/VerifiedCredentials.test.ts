import { describe, expect, it } from "vitest";
import { DispatchError } from "../core/errors.js";
import { type Verified, VerifiedCredentials } from "./VerifiedCredentials.js";

/** A store that answers from `live` until it is `down` (then every read fails as a disk would). */
function fakeStore() {
  const live = new Map<string, Verified<string>>();
  const state = { down: false, reads: 0 };
  const read = (hash: string): Verified<string> | undefined => {
    state.reads++;
    if (state.down) throw Object.assign(new Error("I/O error"), { code: "EIO" });
    return live.get(hash);
  };
  return { live, state, read };
}

const entry = (hash: string, expiresAt: number | null = null): Verified<string> => ({
  hash,
  value: `who-${hash}`,
  expiresAt,
});

function storeUnavailable(run: () => unknown): DispatchError {
  try {
    run();
  } catch (err) {
    if (err instanceof DispatchError) return err;
    throw err;
  }
  throw new Error("expected a refusal");
}

describe("VerifiedCredentials", () => {
  it("answers from the store while it reads, and from memory only while it cannot", () => {
    const store = fakeStore();
    const memory = new VerifiedCredentials(store.read);
    store.live.set("aa", entry("aa"));
    expect(memory.one("aa")).toBe("who-aa");
    store.state.down = true;
    expect(memory.one("aa")).toBe("who-aa");
    const refusal = storeUnavailable(() => memory.one("bb"));
    expect(refusal.code).toBe("storage_failing");
    expect(refusal.message).toMatch(/store is unavailable/);
  });

  it("forgets a token the store no longer holds live", () => {
    const store = fakeStore();
    const memory = new VerifiedCredentials(store.read);
    store.live.set("aa", entry("aa"));
    memory.one("aa");
    store.live.delete("aa");
    expect(memory.one("aa")).toBeUndefined();
    store.state.down = true;
    expect(storeUnavailable(() => memory.one("aa")).code).toBe("storage_failing");
  });

  it("honours a remembered share link's expiry while the store is down", () => {
    const store = fakeStore();
    const memory = new VerifiedCredentials(store.read);
    store.live.set("aa", entry("aa", 1_000));
    memory.one("aa", 500);
    store.state.down = true;
    expect(memory.one("aa", 999)).toBe("who-aa");
    expect(storeUnavailable(() => memory.one("aa", 1_000)).code).toBe("storage_failing");
  });

  it("holds at most its limit, dropping the least recently used", () => {
    const store = fakeStore();
    const memory = new VerifiedCredentials(store.read, 2);
    for (const hash of ["aa", "bb", "cc"]) store.live.set(hash, entry(hash));
    memory.one("aa");
    memory.one("bb");
    store.state.down = true;
    memory.one("aa"); // a hit: bb is now the oldest
    store.state.down = false;
    memory.one("cc");
    expect(memory.size).toBe(2);
    store.state.down = true;
    expect(memory.one("aa")).toBe("who-aa");
    expect(memory.one("cc")).toBe("who-cc");
    expect(storeUnavailable(() => memory.one("bb")).code).toBe("storage_failing");
  });

  it("after a doubt, counts only what the store confirmed again, and forgets what it revoked", () => {
    const store = fakeStore();
    const memory = new VerifiedCredentials(store.read);
    for (const hash of ["aa", "bb"]) {
      store.live.set(hash, entry(hash));
      memory.one(hash);
    }
    store.live.delete("bb");
    memory.doubt();
    store.state.down = true;
    expect(memory.one("aa")).toBe("who-aa");
    expect(storeUnavailable(() => memory.one("bb")).code).toBe("storage_failing");
  });

  it("after a doubt the store could not settle, counts nothing remembered", () => {
    const store = fakeStore();
    const memory = new VerifiedCredentials(store.read);
    store.live.set("aa", entry("aa"));
    memory.one("aa");
    store.state.down = true;
    memory.doubt();
    expect(storeUnavailable(() => memory.one("aa")).code).toBe("storage_failing");
  });

  it("finds remembered key-proof signers by their hash's prefix while the store is down", () => {
    const store = fakeStore();
    const memory = new VerifiedCredentials(store.read);
    const fresh = () => [...store.live.values()].filter((v) => v.hash.startsWith("ab"));
    store.live.set("ab01", entry("ab01"));
    store.live.set("ab02", entry("ab02"));
    expect(memory.byPrefix("ab", fresh).map((v) => v.value)).toEqual(["who-ab01", "who-ab02"]);
    store.live.delete("ab02");
    memory.byPrefix("ab", fresh);
    store.state.down = true;
    const down = () => {
      throw Object.assign(new Error("I/O error"), { code: "EIO" });
    };
    expect(memory.byPrefix("ab", down).map((v) => v.value)).toEqual(["who-ab01"]);
    expect(storeUnavailable(() => memory.byPrefix("cd", down)).code).toBe("storage_failing");
  });
});
