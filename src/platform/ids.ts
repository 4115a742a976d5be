/**
 * A stable opaque id (sessions, hosts, tokens, client connections): 16 lowercase hex characters.
 * From `node:crypto`, which the hub has loaded anyway: Web Crypto's `getRandomValues` loaded its
 * own modules on first use, 17 ms of a restarted hub's first client connection (profiled).
 */
import { randomBytes } from "node:crypto";

export function newId(): string {
  return randomBytes(8).toString("hex");
}
