/**
 * The hub's share-link endpoints, with the login cookie (routes in `protocol/people.ts`): make a
 * link to one session, list the live ones, revoke one. Only a session's owner may make one; only
 * the hub's owners list and revoke (the hub refuses anyone else, saying so).
 */
import type { ShareView } from "../../../src/protocol/people.js";
import { hubRequest } from "./hub-request.js";

/** A link just made: its address is shown once (the hub keeps only the token's hash). */
export interface CreatedShare {
  share: ShareView;
  url: string;
}

/** `POST /api/sessions/:name/share`: a read-only or writing link, ending after `expires` (`2h`) or never. */
export async function createShare(
  session: string,
  request: { write: boolean; expires?: string | undefined; label?: string | undefined },
): Promise<CreatedShare> {
  const body = {
    write: request.write,
    ...(request.expires ? { expires: request.expires } : {}),
    ...(request.label ? { label: request.label } : {}),
  };
  return (await hubRequest(`/api/sessions/${encodeURIComponent(session)}/share`, {
    method: "POST",
    body: JSON.stringify(body),
  })) as CreatedShare;
}

/** `GET /api/shares`, those of one session (by id). */
export async function listShares(sessionId: string): Promise<ShareView[]> {
  const { shares } = (await hubRequest("/api/shares")) as { shares: ShareView[] };
  return shares.filter((share) => share.session === sessionId);
}

/** `DELETE /api/shares/:id`: whoever holds the link is cut off at once. */
export async function revokeShare(id: string): Promise<void> {
  await hubRequest(`/api/shares/${encodeURIComponent(id)}`, { method: "DELETE" });
}
