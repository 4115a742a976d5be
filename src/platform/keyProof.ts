/**
 * Proof of the access key, for the CLI and the hub, in place of sending the key itself: the
 * CLI finds its hub by a file that may be stale or by a fallback port anyone can listen on, so
 * whatever answers there must learn nothing it could use against the real hub.
 *
 * A request carries `Authorization: Dispatch-Proof t=MS,n=NONCE,b=BODYHASH,s=SIG`, SIG being
 * an HMAC-SHA256 keyed with the access key over the method, the request target, the `Host` it
 * was sent to, the time, a fresh nonce and the body's SHA-256. The hub accepts it once
 * (nonces are remembered), within a short window, and only when the port in `Host` is the
 * port it received the request on: a proof captured by a listener on another port is refused
 * there. The hub answers with `Dispatch-Hub-Proof: HMAC(key, SIG)`, which only a holder of the
 * key can compute: the CLI trusts no answer without it (docs/PROTOCOL.md, "Key proofs").
 *
 * `DISPATCH_KEY` may instead be a personal token or a share link, which the hub keeps only as
 * its SHA-256: a proof of it is keyed with a key derived from that hash (`tokenProofKey`) and
 * names it by `k=KEYID`, the hash's first 16 hex digits, by which the hub finds the row
 * without a scan. The id gives away 64 bits of the hash; the other 192 stay secret. The access
 * key is never proven this way (a cluster's database holds its SHA-256).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const PROOF_SCHEME = "Dispatch-Proof";
/** Response header (lower case, as Node reports it) of the hub's answer to a proof. */
export const HUB_PROOF_HEADER = "dispatch-hub-proof";
/** How far a proof's time may be from the hub's clock (the CLI and its hub share a machine). */
export const PROOF_WINDOW_MS = 30_000;

/** What a proof covers; `host` is the `Host` header (`127.0.0.1:7777`), `target` path and query. */
export interface ProofTarget {
  method: string;
  target: string;
  host: string;
}

/**
 * What a proof is keyed with: the access key itself (no `keyId`), or the key derived from a
 * token's stored hash with the id the hub looks that hash up by.
 */
export interface ProofKey {
  key: string;
  keyId?: string | undefined;
}

/** Hex digits of a token's hash that name it in a proof (`k=`). */
export const KEY_ID_LENGTH = 16;

export interface KeyProof {
  /** Present for a proof keyed on a token's stored hash (`tokenProofKey`). */
  keyId?: string | undefined;
  time: number;
  nonce: string;
  bodyHash: string;
  signature: string;
}

export function bodyHash(body: string | Buffer = ""): string {
  return createHash("sha256").update(body).digest("hex");
}

/**
 * The proof key of a personal token or share link from its SHA-256 as the hub stores it: the
 * hub holds no token, only hashes.
 */
export function tokenProofKeyFromHash(hash: string): Required<ProofKey> {
  return {
    key: createHmac("sha256", hash).update("dispatch-token-proof-key-1").digest("base64url"),
    keyId: hash.slice(0, KEY_ID_LENGTH),
  };
}

/** The proof key of a token the CLI holds (`DISPATCH_KEY`); see `tokenProofKeyFromHash`. */
export function tokenProofKey(token: string): Required<ProofKey> {
  return tokenProofKeyFromHash(createHash("sha256").update(token).digest("hex"));
}

function signature(key: string, request: ProofTarget, proof: Omit<KeyProof, "signature">): string {
  const text = [
    // A token proof signs its key id too, and under another label: neither kind passes for the other.
    ...(proof.keyId === undefined ? ["dispatch-proof-1"] : ["dispatch-token-proof-1", proof.keyId]),
    request.method.toUpperCase(),
    request.target,
    request.host.toLowerCase(),
    String(proof.time),
    proof.nonce,
    proof.bodyHash,
  ].join("\n");
  return createHmac("sha256", key).update(text).digest("base64url");
}

/** A fresh proof for one request, as the value of its `Authorization` header. */
export function proofHeader(
  proofKey: ProofKey | string,
  request: ProofTarget,
  body?: string,
): { header: string; proof: KeyProof } {
  const { key, keyId } = typeof proofKey === "string" ? { key: proofKey, keyId: undefined } : proofKey;
  const unsigned = {
    ...(keyId === undefined ? {} : { keyId }),
    time: Date.now(),
    nonce: randomBytes(16).toString("base64url"),
    bodyHash: bodyHash(body),
  };
  const proof = { ...unsigned, signature: signature(key, request, unsigned) };
  const id = keyId === undefined ? "" : `k=${keyId},`;
  const header = `${PROOF_SCHEME} ${id}t=${proof.time},n=${proof.nonce},b=${proof.bodyHash},s=${proof.signature}`;
  return { header, proof };
}

/** The proof in an `Authorization` header; undefined when it is another scheme or malformed. */
export function parseProofHeader(authorization: string | undefined): KeyProof | undefined {
  const match = /^Dispatch-Proof\s+(.*)$/i.exec(authorization ?? "");
  if (!match) return undefined;
  const fields = new Map<string, string>();
  for (const part of (match[1] as string).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const time = Number(fields.get("t"));
  const nonce = fields.get("n") ?? "";
  const hash = fields.get("b") ?? "";
  const sig = fields.get("s") ?? "";
  const keyId = fields.get("k");
  if (!Number.isSafeInteger(time) || !/^[\w-]{16,64}$/.test(nonce) || !/^[0-9a-f]{64}$/.test(hash) || !sig)
    return undefined;
  if (keyId !== undefined && !new RegExp(`^[0-9a-f]{${KEY_ID_LENGTH}}$`).test(keyId)) return undefined;
  return { ...(keyId === undefined ? {} : { keyId }), time, nonce, bodyHash: hash, signature: sig };
}

/** Whether `proof` was signed with `key` for this request. Constant-time. */
export function proofValid(key: string, request: ProofTarget, proof: KeyProof): boolean {
  return sameText(signature(key, request, proof), proof.signature);
}

/** The hub's answer to a proof: shows the answering server holds the key too. */
export function hubProof(key: string, proof: KeyProof): string {
  return createHmac("sha256", key).update(`dispatch-hub-1\n${proof.signature}`).digest("base64url");
}

/** Whether `answer` (the `Dispatch-Hub-Proof` header) comes from a holder of `key`. */
export function hubProofValid(key: string, proof: KeyProof, answer: string | string[] | undefined): boolean {
  return typeof answer === "string" && sameText(hubProof(key, proof), answer);
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
