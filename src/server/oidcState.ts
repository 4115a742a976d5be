/**
 * A sign-in on its way to the provider and back, kept in the browser's cookie rather than in
 * the hub's memory: the callback may reach another cluster node than the one that started it
 * (the load balancer has no sticky sessions), or a hub restarted meanwhile. The cookie is
 * sealed (AES-256-GCM) with a key derived from the owner key, which every node of a cluster
 * shares, so only a hub of this deployment can read or forge it; the PKCE verifier in it never
 * reaches the browser's scripts (HttpOnly) or the provider.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { z } from "zod";

/** What the callback needs: the state sent to the provider, the PKCE verifier, when it began. */
export const PendingSignIn = z.object({ state: z.string(), verifier: z.string(), at: z.number() });
export type PendingSignIn = z.infer<typeof PendingSignIn>;

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The sealing key for `ownerKey`: the same on every node that holds the same owner key. */
export function signInKey(ownerKey: string): Buffer {
  return createHmac("sha256", ownerKey).update("dispatch oidc sign-in v1").digest();
}

export function sealSignIn(pending: PendingSignIn, key: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(pending), "utf8"), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString("base64url");
}

/** The sign-in a cookie holds; undefined when it was not sealed with `key` or was changed. */
export function openSignIn(cookie: string, key: Buffer): PendingSignIn | undefined {
  const bytes = Buffer.from(cookie, "base64url");
  if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const text = Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]).toString("utf8");
    const parsed = PendingSignIn.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // Another key (another deployment, a changed owner key) or altered bytes: not ours.
    return undefined;
  }
}
