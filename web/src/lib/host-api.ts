/**
 * The hub's host REST endpoints, with the login cookie: the host list, and the owner's cleanup
 * and revoke. Host links change later through `host` messages on the WebSocket.
 */
import type { CleanupRequest, CleanupResult, HostView } from "../../../src/protocol/hosts.js";
import { hubRequest } from "./hub-request.js";

/** A host REST call; rejects with the hub's error message. */
function hostApi(name: string, what: string, init: RequestInit): Promise<unknown> {
  return hubRequest(`/api/hosts/${encodeURIComponent(name)}/${what}`, init);
}

/** `GET /api/hosts`: every host link as of now; null when the hub refuses or is unreachable. */
export async function listHosts(): Promise<HostView[] | null> {
  try {
    const response = await fetch("/api/hosts", { credentials: "same-origin" });
    if (!response.ok) return null;
    const body = (await response.json()) as { hosts?: HostView[] };
    return body.hosts ?? [];
  } catch {
    // The hub went away again; the next `open` reloads them.
    return null;
  }
}

/** `POST /api/hosts/:name/cleanup`: removes the host's ended and orphaned sessions. */
export async function cleanupHost(name: string, request: CleanupRequest): Promise<CleanupResult> {
  return (await hostApi(name, "cleanup", {
    method: "POST",
    body: JSON.stringify(request),
  })) as CleanupResult;
}

/** `DELETE /api/hosts/:name/token`: the host is cut off and cannot dial back in. */
export async function revokeHost(name: string): Promise<{ revoked: number; disconnected: boolean }> {
  return (await hostApi(name, "token", { method: "DELETE" })) as { revoked: number; disconnected: boolean };
}
