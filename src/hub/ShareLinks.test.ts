import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sessionRecord } from "../../test/sessionRecord.js";
import type { Principal } from "../protocol/people.js";
import type { Store } from "../store/Store.js";
import { SqliteStore } from "../store/sqlite/SqliteStore.js";
import { HubEvents } from "./HubEvents.js";
import { ShareLinks } from "./ShareLinks.js";
import { sha256, Tokens } from "./Tokens.js";

describe("ShareLinks", () => {
  let dir: string;
  let store: Store;
  let bus: HubEvents;
  let links: ShareLinks;
  const session = { id: "s", name: "build" };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "dispatch-share-links-"));
    store = SqliteStore.open(join(dir, "dispatch.db"));
    store.insertSession(sessionRecord({ id: session.id }));
    bus = new HubEvents();
    links = new ShareLinks(store, new Tokens(store), bus);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The principal a link's token signs in as, found as the server finds it (by its hash). */
  function signIn(token: string): Principal {
    const record = store.findTokenByHash(sha256(token));
    if (!record) throw new Error("the link's token is not live");
    return links.principalOf(record);
  }

  it("signs a link in as its session and role, until it expires", () => {
    const { share, token } = links.issue(session, "writer", Date.now() + 60_000);
    const principal = signIn(token);
    expect(principal).toMatchObject({
      via: "share",
      session: "s",
      role: "writer",
      expiresAt: share.expiresAt,
    });
    expect(links.isLive(principal)).toBe(true);

    const expired = links.issue(session, "viewer", Date.now() - 1);
    expect(store.findTokenByHash(sha256(expired.token))).toBeUndefined();
    expect(links.list(() => "build").map((listed) => listed.id)).toEqual([share.id]);
  });

  it("revokes the one link a prefix names, and says so to everyone listening", () => {
    const kept = links.issue(session, "viewer");
    const revoked = links.issue(session, "viewer");
    let revocations = 0;
    bus.on("access-revoked", () => revocations++);
    const keptPrincipal = signIn(kept.token);
    const revokedPrincipal = signIn(revoked.token);

    // The shortest prefix that tells the two apart.
    let prefix = "";
    while (kept.share.id.startsWith(prefix)) prefix = revoked.share.id.slice(0, prefix.length + 1);
    expect(links.revoke(prefix)).toMatchObject({ id: revoked.share.id, sessionName: null });
    expect(revocations).toBe(1);
    expect(links.isLive(revokedPrincipal)).toBe(false);
    expect(links.isLive(keptPrincipal)).toBe(true);
    expect(links.list(() => null).map((listed) => listed.id)).toEqual([kept.share.id]);
  });

  it("refuses a prefix that names several links or none, revoking nothing", () => {
    // Of 17 ids, two begin with the same hex digit.
    const issued = Array.from({ length: 17 }, () => links.issue(session, "viewer").share.id);
    const digit =
      [..."0123456789abcdef"].find((d) => issued.filter((id) => id.startsWith(d)).length > 1) ?? "";
    const sharing = issued.filter((id) => id.startsWith(digit)).length;
    expect(() => links.revoke(digit)).toThrow(
      `'${digit}' matches ${sharing} share links; give more of the id`,
    );
    expect(() => links.revoke("zz")).toThrow("no live share link 'zz'; see `dispatch share ls`");
    expect(links.list(() => null)).toHaveLength(17);
  });
});
