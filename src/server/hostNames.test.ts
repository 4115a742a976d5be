import { describe, expect, it } from "vitest";
import { HostNames } from "./hostNames.js";

describe("HostNames", () => {
  const loopback = new HostNames({ bind: "127.0.0.1", extra: [] });

  it("accepts the loopback names, with or without a port, IPv6 with or without brackets", () => {
    for (const header of ["localhost", "LOCALHOST:7777", "127.0.0.1:41234", "[::1]:7777", "[::1]", "::1"]) {
      expect(loopback.refusal(header), header).toBeUndefined();
    }
  });

  it("refuses other names and addresses, and says how to allow one", () => {
    expect(loopback.refusal("evil.example:7777")).toMatch(
      /not a name of this hub; add it with --allowed-host/,
    );
    for (const header of ["::2", "[::2]:7777", "::1:7777", "127.0.0.2", "localhost.evil.example"]) {
      expect(loopback.refusal(header), header).toBeDefined();
    }
    expect(loopback.refusal(undefined)).toBe("the request has no Host header");
  });

  it("accepts the bound address and the configured names on a wider bind", () => {
    const wide = new HostNames({ bind: "fd00::5", extra: ["dispatch.example"] });
    expect(wide.refusal("[fd00::5]:7777")).toBeUndefined();
    expect(wide.refusal("fd00::5")).toBeUndefined();
    expect(wide.refusal("Dispatch.Example:443")).toBeUndefined();
    expect(wide.refusal("other.example")).toBeDefined();
  });
});
