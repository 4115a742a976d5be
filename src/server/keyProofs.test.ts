/**
 * Where the hub takes a proof to have been sent (behind a trusted proxy, the proxy's port), and
 * which refusals are the clock's alone (a host dials again after those instead of stopping).
 */
import type { IncomingMessage } from "node:http";
import { afterEach, describe, expect, it, vi } from "vitest";
import { proofHeader, tokenProofKey } from "../platform/keyProof.js";
import { arrivalOf, KeyProofs } from "./keyProofs.js";

function request(headers: Record<string, string>, localPort = 7777): IncomingMessage {
  return { method: "GET", url: "/host", headers, socket: { localPort } } as unknown as IncomingMessage;
}

describe("arrivalOf", () => {
  it("is the port the hub listens on, unless a trusted proxy says which one was dialed", () => {
    const proxied = { host: "hub.example", "x-forwarded-proto": "https" };
    expect(arrivalOf(request(proxied))).toMatchObject({ localPort: 7777, encrypted: false });
    expect(arrivalOf(request(proxied), true)).toMatchObject({ localPort: 443, encrypted: true });
    const withPort = { ...proxied, "x-forwarded-port": "8443, 7777" };
    expect(arrivalOf(request(withPort), true)).toMatchObject({ localPort: 8443, host: "hub.example" });
  });
});

describe("KeyProofs", () => {
  const token = "dsh_example";
  const signers = { byKeyId: () => [{ key: tokenProofKey(token).key, principal: "h1" }] };
  const arrival = { method: "GET", url: "/host", host: "127.0.0.1:7777", localPort: 7777, encrypted: false };
  const sign = () =>
    proofHeader(tokenProofKey(token), { method: "GET", target: "/host", host: "127.0.0.1:7777" });

  afterEach(() => vi.useRealTimers());

  it("takes a proof once; refuses one made before it listened as the clock's doing", () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const proofs = new KeyProofs();
    const early = sign().header;
    vi.setSystemTime(1_001_000);
    proofs.listening();
    expect(proofs.check(early, arrival, signers)).toMatchObject({ clock: true });
    const later = sign().header;
    expect(proofs.check(later, arrival, signers)).toEqual({ principal: "h1" });
    const replayed = proofs.check(later, arrival, signers);
    expect(replayed).toHaveProperty("refusal");
    expect(replayed).not.toHaveProperty("clock");
  });
});
