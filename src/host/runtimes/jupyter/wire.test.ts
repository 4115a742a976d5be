import { describe, expect, it } from "vitest";
import { decode, encode, newHeader, Signer } from "./wire.js";

const signer = new Signer("a0436f6c-1916-498b-8eb9-e81ab9368e84");

function message() {
  return {
    header: newHeader("execute_request", "s1"),
    parent: {},
    metadata: {},
    content: { code: "1+1", silent: false },
  };
}

describe("jupyter wire format", () => {
  it("signs with HMAC-SHA256 over header, parent, metadata and content, and reads it back", () => {
    const frames = encode(signer, message());
    expect(frames[0]?.toString()).toBe("<IDS|MSG>");
    expect(frames[1]?.toString()).toMatch(/^[0-9a-f]{64}$/);
    const decoded = decode(signer, [Buffer.from("peer-identity"), ...frames]);
    expect(decoded.ok && decoded.message.content).toEqual({ code: "1+1", silent: false });
  });

  it("matches the signature jupyter_client computes", () => {
    // hmac.new(b"key", b'{"a":1}' + b"{}" + b"{}" + b"{}", hashlib.sha256).hexdigest()
    const frames = ['{"a":1}', "{}", "{}", "{}"].map((part) => Buffer.from(part));
    expect(new Signer("key").sign(frames)).toBe(
      "f1128388193e4dd1aa760827bd756a1b40b627676b5efe22c0e8297919bfa218",
    );
  });

  it("refuses a wrongly signed, truncated or malformed message", () => {
    const frames = encode(signer, message());
    expect(decode(new Signer("other key"), frames)).toEqual({ ok: false, reason: "bad signature" });
    expect(decode(signer, frames.slice(0, 4))).toMatchObject({ ok: false });
    expect(decode(signer, frames.slice(1))).toEqual({ ok: false, reason: "no <IDS|MSG> delimiter" });
    const garbled = [...frames];
    garbled[2] = Buffer.from("not json");
    garbled[1] = Buffer.from(signer.sign(garbled.slice(2, 6)));
    expect(decode(signer, garbled)).toEqual({ ok: false, reason: "a frame is not JSON" });
  });

  it("reads a stream message, and refuses one without its name and text, or with a malformed header", () => {
    const stream = (header: Record<string, unknown>, content: Record<string, unknown>) => {
      const parts = [header, { msg_id: "p" }, {}, content].map((part) => Buffer.from(JSON.stringify(part)));
      return [Buffer.from("<IDS|MSG>"), Buffer.from(signer.sign(parts)), ...parts];
    };
    const header = { msg_id: "m", msg_type: "stream", session: "k" };
    const decoded = decode(signer, stream(header, { name: "stdout", text: "hello\n" }));
    expect(decoded).toMatchObject({
      ok: true,
      message: { header, parent: { msg_id: "p" }, content: { name: "stdout", text: "hello\n" } },
    });
    expect(decode(signer, stream(header, { name: "stdout", text: 42 }))).toEqual({
      ok: false,
      reason: "a stream message without a name and text",
    });
    expect(decode(signer, stream({ ...header, msg_id: 7 }, { name: "stdout", text: "x" }))).toEqual({
      ok: false,
      reason: "malformed header",
    });
    expect(decode(signer, stream({ ...header, date: 1 }, { name: "stdout", text: "x" }))).toEqual({
      ok: false,
      reason: "malformed header",
    });
  });
});
