/**
 * A failed sign-in in the audit trail: a credential the hub checked and refused (wrong,
 * unknown, revoked, expired), or an address refused for too many of those. Not a credential the
 * hub could not check because its store is unavailable (`storage_failing`): its holder may well
 * hold a good one, and the trail, read after an outage, would show every reconnect of theirs
 * as a failed sign-in. The failure limiter does not count those either (`FailureLimiter`
 * counts only checks that answered), so nobody is slowed or locked out after the outage.
 */
import { DispatchError } from "../core/errors.js";
import type { AuditTrail } from "../hub/AuditTrail.js";
import { isStorageError } from "../store/storageErrors.js";

/** `over`: the way in (`websocket`, `hello`, `rest`, `login`, `share`, `oidc`). */
export function auditFailedSignIn(audit: AuditTrail, address: string, over: string, err: unknown): void {
  if (uncheckable(err)) return;
  audit.record({ name: "unknown", address }, "sign-in-failed", { detail: { over } });
}

/** The store could not be read to check the credential. */
function uncheckable(err: unknown): boolean {
  return (err instanceof DispatchError && err.code === "storage_failing") || isStorageError(err);
}
