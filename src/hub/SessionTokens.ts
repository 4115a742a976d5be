/**
 * Tokens good for one session alone: handed to sessions of kinds that report their own state
 * (agents) in their environment, so `dispatch notify` run by the agent's hook can reach the
 * hub without the access key ever entering a session. Only the hash is stored (tokens table,
 * kind `session`, scope = the session id); the token itself lives in the session's
 * environment and nowhere else.
 */
import { findKind } from "../kinds/registry.js";
import { tokenProofKeyFromHash } from "../platform/keyProof.js";
import type { SessionRecord } from "../protocol/session.js";
import type { Tokens } from "./Tokens.js";

export const SESSION_TOKEN_KIND = "session";

export class SessionTokens {
  /** The hub's URL once it listens (set by the server). */
  hubUrl = "";

  constructor(
    private readonly tokens: Tokens,
    /** `hub.json`, where `dispatch notify` finds the hub again after it moved to another port. */
    private readonly hubInfoFile: string,
  ) {}

  /** The environment that lets a session report to the hub; empty for kinds that do not. */
  envFor(record: SessionRecord): Record<string, string> {
    // A kind this build does not know gets no token.
    if (findKind(record.kind)?.sessionToken !== true) return {};
    const token = this.tokens.issue({ kind: SESSION_TOKEN_KIND, name: record.id, scope: record.id });
    return {
      DISPATCH_SESSION: record.id,
      DISPATCH_SESSION_TOKEN: token,
      DISPATCH_HUB_INFO: this.hubInfoFile,
      ...(this.hubUrl ? { DISPATCH_URL: this.hubUrl } : {}),
    };
  }

  /** Whether `token` is a live session token for exactly this session. */
  check(token: string, sessionId: string): boolean {
    return this.tokens.find(SESSION_TOKEN_KIND, token)?.scope === sessionId;
  }

  /**
   * The keys proofs of this session's live tokens named by `keyId` are signed with (derived from
   * the stored hash: `platform/keyProof.ts`); `dispatch notify` proves its token this way.
   */
  proofKeys(keyId: string, sessionId: string): string[] {
    return this.tokens
      .byHashPrefix(keyId)
      .filter((record) => record.kind === SESSION_TOKEN_KIND && record.scope === sessionId)
      .map((record) => tokenProofKeyFromHash(record.hash).key);
  }

  revoke(sessionId: string): void {
    this.tokens.revoke(SESSION_TOKEN_KIND, sessionId);
  }
}
