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

export interface KeyProof {
  time: number;
  nonce: string;
  bodyHash: string;
  signature: string;
}

export function bodyHash(body: string | Buffer = ""): string {
  return createHash("sha256").update(body).digest("hex");
}

function signature(key: string, request: ProofTarget, proof: Omit<KeyProof, "signature">): string {
  const text = [
    "dispatch-proof-1",
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
  key: string,
  request: ProofTarget,
  body?: string,
): { header: string; proof: KeyProof } {
  const unsigned = {
    time: Date.now(),
    nonce: randomBytes(16).toString("base64url"),
    bodyHash: bodyHash(body),
  };
  const proof = { ...unsigned, signature: signature(key, request, unsigned) };
  const header = `${PROOF_SCHEME} t=${proof.time},n=${proof.nonce},b=${proof.bodyHash},s=${proof.signature}`;
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
  if (!Number.isSafeInteger(time) || !/^[\w-]{16,64}$/.test(nonce) || !/^[0-9a-f]{64}$/.test(hash) || !sig)
    return undefined;
  return { time, nonce, bodyHash: hash, signature: sig };
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
