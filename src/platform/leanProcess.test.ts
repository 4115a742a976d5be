import { describe, expect, it } from "vitest";
import { dropLeanEnv, leanEnv, leanNodeArgs, SEMI_SPACE_FLAG } from "./leanProcess.js";

describe("leanEnv", () => {
  it("keeps the extra CA bundle aside for a daemon that makes no TLS connection, and dropLeanEnv puts it back", () => {
    const operator = { PATH: "/usr/bin", NODE_EXTRA_CA_CERTS: "/etc/corp-ca.pem" };
    const daemon: NodeJS.ProcessEnv = leanEnv(operator, { tls: false });
    expect(daemon.NODE_EXTRA_CA_CERTS).toBeUndefined();
    expect(daemon.MALLOC_ARENA_MAX).toBe("2");
    dropLeanEnv(daemon);
    expect(daemon).toEqual(operator);
  });

  it("leaves the bundle to a daemon that connects out over TLS", () => {
    const daemon: NodeJS.ProcessEnv = leanEnv({ NODE_EXTRA_CA_CERTS: "/etc/corp-ca.pem" }, { tls: true });
    expect(daemon.NODE_EXTRA_CA_CERTS).toBe("/etc/corp-ca.pem");
    dropLeanEnv(daemon);
    expect(daemon).toEqual({ NODE_EXTRA_CA_CERTS: "/etc/corp-ca.pem" });
  });

  it("keeps an operator's own allocator setting, in the daemon and after", () => {
    const daemon: NodeJS.ProcessEnv = leanEnv({ MALLOC_ARENA_MAX: "8" }, { tls: false });
    expect(daemon.MALLOC_ARENA_MAX).toBe("8");
    dropLeanEnv(daemon);
    expect(daemon).toEqual({ MALLOC_ARENA_MAX: "8" });
  });
});

describe("leanNodeArgs", () => {
  it("caps the semi-space and exposes gc, for bufferGarbage; an operator's semi-space flag wins", () => {
    expect(leanNodeArgs({})).toEqual([SEMI_SPACE_FLAG, "--expose-gc"]);
    expect(leanNodeArgs({ NODE_OPTIONS: "--max-semi-space-size=8" })).toEqual(["--expose-gc"]);
  });
});
