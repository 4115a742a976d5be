/** The REST calls for people (`protocol/people.ts`): users, share links, presence, audit. */
import { z } from "zod";
import {
  AuditEntry,
  PresenceEntry,
  type Role,
  ShareCreated,
  ShareView,
  UserView,
} from "../protocol/people.js";
import type { SessionInfo } from "../protocol/session.js";
import type { HubClient } from "./HubClient.js";

const enc = encodeURIComponent;

export class PeopleApi {
  constructor(private readonly client: HubClient) {}

  async users(): Promise<UserView[]> {
    return z.object({ users: z.array(UserView) }).parse(await this.client.call("GET", "/api/users")).users;
  }

  async addUser(request: { name: string; role: Role; email?: string | undefined }) {
    return z
      .object({ user: UserView, token: z.string() })
      .parse(await this.client.call("POST", "/api/users", request));
  }

  async setRole(name: string, role: Role | "none", session?: string): Promise<UserView> {
    const body = await this.client.call("PATCH", `/api/users/${enc(name)}`, { role, session });
    return z.object({ user: UserView }).parse(body).user;
  }

  async removeUser(name: string): Promise<UserView> {
    return z.object({ removed: UserView }).parse(await this.client.call("DELETE", `/api/users/${enc(name)}`))
      .removed;
  }

  /** One session (by name or id), for its name and id; not_found with a did-you-mean. */
  session(ref: string): Promise<SessionInfo> {
    return this.client.getSession(ref);
  }

  /** Every session's name by its id, to show names where the hub answers with ids. */
  async sessionNames(): Promise<Map<string, string>> {
    return new Map((await this.client.listSessions()).map((s) => [s.id, s.name]));
  }

  async share(
    session: string,
    request: { write: boolean; expires?: string | undefined; label?: string | undefined },
  ) {
    return ShareCreated.parse(await this.client.call("POST", `/api/sessions/${enc(session)}/share`, request));
  }

  async shares(): Promise<ShareView[]> {
    return z.object({ shares: z.array(ShareView) }).parse(await this.client.call("GET", "/api/shares"))
      .shares;
  }

  async revokeShare(id: string): Promise<ShareView> {
    return z.object({ revoked: ShareView }).parse(await this.client.call("DELETE", `/api/shares/${enc(id)}`))
      .revoked;
  }

  async presence(session: string): Promise<PresenceEntry[]> {
    const body = await this.client.call("GET", `/api/sessions/${enc(session)}/presence`);
    return z.object({ presence: z.array(PresenceEntry) }).parse(body).presence;
  }

  async audit(query: { session?: string | undefined; since?: number | undefined }): Promise<AuditEntry[]> {
    const params = new URLSearchParams();
    if (query.session) params.set("session", query.session);
    if (query.since !== undefined) params.set("since", String(query.since));
    const body = await this.client.call("GET", `/api/audit${params.size > 0 ? `?${params}` : ""}`);
    return z.object({ entries: z.array(AuditEntry) }).parse(body).entries;
  }
}
