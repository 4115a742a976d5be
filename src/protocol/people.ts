/**
 * People on a hub: roles, users, per-session grants, share links, presence and the audit
 * trail, as they travel over REST and the WebSocket.
 *
 *   GET    /api/me                          {principal}: who this request is
 *   GET    /api/users                       {users}                       (owner)
 *   POST   /api/users  {name, role, email?} {user, token}: token shown once (owner)
 *   PATCH  /api/users/:name {role, session?} {user}: a role, or a grant on one session (owner)
 *   DELETE /api/users/:name                 {removed}                     (owner)
 *   POST   /api/sessions/:name/share {write?, expires?, label?} {share, token, url} (owner)
 *   GET    /api/shares                      {shares}                      (owner)
 *   DELETE /api/shares/:id                  {revoked}                     (owner)
 *   GET    /api/sessions/:name/presence     {presence}
 *   GET    /api/audit?session=&since=&limit= {entries}                    (owner)
 */
import { z } from "zod";

/** `owner` does everything (people, hosts); `writer` creates and uses sessions; `viewer` reads. */
/** How a personal token begins (recognisable in logs and by secret scanners; and by the CLI). */
export const PERSONAL_TOKEN_PREFIX = "dpu_";
/** How a share link's token begins. */
export const SHARE_TOKEN_PREFIX = "dps_";

/**
 * Whether a secret is a personal token or a share link, which the hub keeps only hashed (so the
 * CLI proves it by its hash), rather than an access key (proven with the key itself).
 */
export function isIssuedToken(secret: string): boolean {
  return secret.startsWith(PERSONAL_TOKEN_PREFIX) || secret.startsWith(SHARE_TOKEN_PREFIX);
}

export const Role = z.enum(["owner", "writer", "viewer"]);
export type Role = z.infer<typeof Role>;

/** How a principal proved who it is. */
export const SignIn = z.enum(["key", "token", "share", "oidc"]);
export type SignIn = z.infer<typeof SignIn>;

/** Who a request or a connection is. */
export const Principal = z.object({
  /** A user's id; `owner` for the access key; `share:<id>` for a share link. */
  id: z.string(),
  name: z.string(),
  role: Role,
  via: SignIn,
  /** A share link reaches only this session (its id). */
  session: z.string().optional(),
  /** When a share link stops working (epoch ms); absent: until revoked. */
  expiresAt: z.number().optional(),
});
export type Principal = z.infer<typeof Principal>;

/**
 * Who asked for something a session keeps (a workspace cell): filled in by the hub from the
 * principal it authenticated, never from what a client says. `id` as input's `by` (to tell
 * two people apart), `name` to show.
 */
export const Caller = z.object({ id: z.string(), name: z.string() });
export type Caller = z.infer<typeof Caller>;

/** The caller a principal is. */
export function callerOf(principal: Principal): Caller {
  return { id: principal.id, name: principal.name };
}

const UserName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, "user names are 1-64 of letters, digits, '.', '_', '@', '-'");

export const UserView = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  email: z.string().nullable(),
  createdAt: z.number(),
  /** Per-session roles on top of `role`, by session id. */
  grants: z.record(z.string(), Role),
});
export type UserView = z.infer<typeof UserView>;

export const AddUserRequest = z.object({
  name: UserName,
  role: Role.default("writer"),
  email: z.string().email().max(254).optional(),
});
export const SetRoleRequest = z.object({
  role: Role.or(z.literal("none")),
  /** A grant on this session only (name or id); `none` removes the grant. */
  session: z.string().min(1).max(64).optional(),
});

/**
 * What the owner calls a share link's holder (`share --label ada`): the holder is then named
 * `ada (link)` wherever dispatch names people. Printable (no control characters, which would
 * garble `who` and the audit in a terminal) and short enough for a column.
 */
export const ShareLabel = z
  .string()
  .trim()
  .regex(
    /^\P{C}{1,40}$/u,
    "a share label is 1-40 printable characters (no control characters), e.g. --label ada",
  );

export const ShareRequest = z.object({
  write: z.boolean().default(false),
  /** Names the link's holder (`ada (link)`); absent: the link is named by its id. */
  label: ShareLabel.optional(),
  /** A duration (`30m`, `2h`, `7d`); absent: until revoked. */
  expires: z.string().max(16).optional(),
});
export const ShareView = z.object({
  id: z.string(),
  session: z.string(),
  sessionName: z.string().nullable(),
  role: Role,
  createdAt: z.number(),
  expiresAt: z.number().nullable(),
  /** What the owner called the holder; null: none given (or a hub from before labels). */
  label: z.string().nullable().default(null),
});
export type ShareView = z.infer<typeof ShareView>;
export const ShareCreated = z.object({ share: ShareView, token: z.string(), url: z.string() });

/** One person attached to a session (one entry per person, however many tabs). */
export const PresenceEntry = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  clients: z.number().int(),
  since: z.number(),
});
export type PresenceEntry = z.infer<typeof PresenceEntry>;

export const AuditQuery = z.object({
  session: z.string().max(64).optional(),
  /** Entries at or after this time (ms since the epoch). */
  since: z.coerce.number().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});
export const AuditEntry = z.object({
  id: z.number().int(),
  ts: z.number(),
  actor: z.string(),
  action: z.string(),
  address: z.string().nullable(),
  session: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
