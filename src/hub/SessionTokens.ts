/**
 * Tokens good for one session alone: handed to sessions of kinds that report their own state
 * (agents) in their environment, so `dispatch notify` run by the agent's hook can reach the
 * hub without the access key ever entering a session. Only the hash is stored (tokens table,
 * kind `session`, scope = the session id); the token itself lives in the session's
 * environment and nowhere else.
 */
import { createHash, randomBytes } from "node:crypto";
import { newId } from "../core/ids.js";
import { getKind } from "../kinds/registry.js";
import type { EventStore, SessionRecord } from "../store/EventStore.js";

export const SESSION_TOKEN_KIND = "session";

export class SessionTokens {
  /** The hub's URL once it listens (set by the server). */
  hubUrl = "";

  constructor(
    private readonly store: EventStore,
    /** `hub.json`, where `dispatch notify` finds the hub again after it moved to another port. */
    private readonly hubInfoFile: string,
  ) {}

  /** The environment that lets a session report to the hub; empty for kinds that do not. */
  envFor(record: SessionRecord): Record<string, string> {
    let wants = false;
    try {
      wants = getKind(record.kind).sessionToken === true;
    } catch {
      // A kind this build does not know gets no token.
    }
    if (!wants) return {};
    const token = randomBytes(32).toString("base64url");
    this.store.insertToken({
      id: newId(),
      kind: SESSION_TOKEN_KIND,
      name: record.id,
      hash: digest(token),
      scope: record.id,
      createdAt: Date.now(),
    });
    return {
      DISPATCH_SESSION: record.id,
      DISPATCH_SESSION_TOKEN: token,
      DISPATCH_HUB_INFO: this.hubInfoFile,
      ...(this.hubUrl ? { DISPATCH_URL: this.hubUrl } : {}),
    };
  }

  /** Whether `token` is a live session token for exactly this session. */
  check(token: string, sessionId: string): boolean {
    const row = this.store.findTokenByHash(digest(token));
    return row !== undefined && row.kind === SESSION_TOKEN_KIND && row.scope === sessionId;
  }

  revoke(sessionId: string): void {
    this.store.revokeTokens(SESSION_TOKEN_KIND, sessionId);
  }
}

function digest(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
