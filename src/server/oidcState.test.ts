import { describe, expect, it } from "vitest";
import { openSignIn, sealSignIn, signInKey } from "./oidcState.js";

describe("a sign-in sealed in its cookie", () => {
  const pending = { state: "s-1", verifier: "v-1", at: 1_700_000_000_000 };

  it("opens with the same owner key, on any node", () => {
    const cookie = sealSignIn(pending, signInKey("owner-key"));
    expect(openSignIn(cookie, signInKey("owner-key"))).toEqual(pending);
    expect(cookie).not.toContain("v-1");
  });

  it("does not open with another owner key, or once a byte changed", () => {
    const cookie = sealSignIn(pending, signInKey("owner-key"));
    expect(openSignIn(cookie, signInKey("another-key"))).toBeUndefined();
    const bytes = Buffer.from(cookie, "base64url");
    bytes[14] = (bytes[14] ?? 0) ^ 1;
    expect(openSignIn(bytes.toString("base64url"), signInKey("owner-key"))).toBeUndefined();
    expect(openSignIn("", signInKey("owner-key"))).toBeUndefined();
  });
});
