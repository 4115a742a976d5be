/**
 * The hub's side of key proofs (`platform/keyProof.ts`): the CLI proves it holds the access key
 * without sending it. A proof counts once, within `PROOF_WINDOW_MS` of the hub's clock, for the
 * port it was sent to: a listener that captured one on another port (the CLI's fallback port,
 * a stale `hub.json`'s) cannot replay it here, and nothing it saw can be replayed twice.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { type Readable, Transform } from "node:stream";
import { DispatchError } from "../core/errors.js";
import { type KeyProof, PROOF_WINDOW_MS, parseProofHeader, proofValid } from "../platform/keyProof.js";

/** How a request reached the hub: what the proof must have been signed for. */
export interface Arrival {
  method: string;
  /** Path and query, as sent. */
  url: string;
  host: string | undefined;
  /** The port the connection came in on. */
  localPort: number | undefined;
  encrypted: boolean;
}

/** Nonces remembered at once; past this, proofs are refused until old ones expire (a flood). */
const MAX_REMEMBERED = 100_000;

export class KeyProofs {
  /** Nonce -> when it stops mattering (its proof's time is out of the window by then). */
  private readonly seen = new Map<string, number>();

  constructor(private readonly accessKey: string) {}

  /** Whether `authorization` is a key proof at all (valid or not). */
  static presented(authorization: string | undefined): boolean {
    return /^Dispatch-Proof\s/i.test(authorization ?? "");
  }

  /**
   * The proof in `authorization` if it is good for this arrival and new; undefined otherwise
   * (wrong key, wrong port, stale, replayed or malformed: a failure like a wrong key).
   */
  check(authorization: string | undefined, arrival: Arrival, now = Date.now()): KeyProof | undefined {
    const proof = parseProofHeader(authorization);
    if (!proof || arrival.host === undefined) return undefined;
    if (Math.abs(now - proof.time) > PROOF_WINDOW_MS) return undefined;
    if (hostPort(arrival.host, arrival.encrypted) !== arrival.localPort) return undefined;
    const target = { method: arrival.method, target: arrival.url, host: arrival.host };
    if (!proofValid(this.accessKey, target, proof)) return undefined;
    this.forget(now);
    if (this.seen.has(proof.nonce) || this.seen.size >= MAX_REMEMBERED) return undefined;
    this.seen.set(proof.nonce, proof.time + PROOF_WINDOW_MS);
    return proof;
  }

  /** Drops expired nonces from the oldest on; stops at the first live one (kept a little longer at worst). */
  private forget(now: number): void {
    for (const [nonce, until] of this.seen) {
      if (until >= now) return;
      this.seen.delete(nonce);
    }
  }
}

/** The port a `Host` header names (`h:p`, `[::1]:p`), else the scheme's default. */
function hostPort(host: string, encrypted: boolean): number {
  const match = /:(\d+)$/.exec(host);
  if (match && !host.endsWith("]")) return Number(match[1]);
  return encrypted ? 443 : 80;
}

/** What a request arriving at the hub was sent to, for `KeyProofs.check`. */
export function arrivalOf(request: IncomingMessage): Arrival {
  return {
    method: request.method ?? "GET",
    url: request.url ?? "/",
    host: request.headers.host,
    localPort: request.socket.localPort,
    encrypted: "encrypted" in request.socket && request.socket.encrypted === true,
  };
}

/**
 * The request body, checked as it is read against the hash its key proof signed: a proof
 * captured with one body cannot carry another. Fails the parse on a mismatch.
 */
export function provenBody(authorization: string | undefined, payload: Readable): Readable {
  const proof = parseProofHeader(authorization);
  if (!proof) return payload;
  const hash = createHash("sha256");
  const checked = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      if (hash.digest("hex") === proof.bodyHash) return done();
      done(new DispatchError("unauthorized", "the request body is not the one its key proof was signed for"));
    },
  });
  payload.on("error", (err) => checked.destroy(err));
  return payload.pipe(checked);
}
