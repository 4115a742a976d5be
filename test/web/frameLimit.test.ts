/**
 * Unit tests for what the page may send in one message (no browser needed): up to the hub's
 * limit in UTF-8 bytes, not in characters, and a refusal that says how large it was.
 */
import { describe, expect, it } from "vitest";
import { MAX_CLIENT_MESSAGE_BYTES } from "../../src/protocol/client.js";
import { oversizedFrame } from "../../web/src/lib/frame-limit.js";

describe("oversizedFrame", () => {
  it("lets a frame up to the limit go and refuses one byte more", () => {
    expect(oversizedFrame("x".repeat(MAX_CLIENT_MESSAGE_BYTES))).toBeUndefined();
    expect(oversizedFrame("x".repeat(MAX_CLIENT_MESSAGE_BYTES + 1))).toMatch(
      /^Not sent: 1\.0 MiB is over the 1 MiB the hub takes in one message\./,
    );
  });

  it("counts bytes, not characters: text of 3-byte characters is refused at a third of the length", () => {
    const third = Math.floor(MAX_CLIENT_MESSAGE_BYTES / 3);
    expect(oversizedFrame("€".repeat(third))).toBeUndefined();
    expect(oversizedFrame("€".repeat(third + 1))).toMatch(/^Not sent: /);
    expect(oversizedFrame("€".repeat(2 * third))).toMatch(/^Not sent: 2\.0 MiB /);
  });
});
