import { describe, expect, it } from "vitest";
import type { Principal } from "../protocol/people.js";
import { kindCommandAction, requireRole, sessionRole } from "./accessPolicy.js";

const writer: Principal = { id: "u1", name: "pat", role: "writer", via: "token" };
const link: Principal = { id: "share:x", name: "link x", role: "viewer", via: "share", session: "s1" };
const owner: Principal = { id: "owner", name: "owner", role: "owner", via: "key" };

describe("accessPolicy", () => {
  it("a grant overrides a user's global role; the owner is owner everywhere", () => {
    expect(sessionRole(writer, "s1", "viewer")).toBe("viewer");
    expect(sessionRole(writer, "s2", undefined)).toBe("writer");
    expect(sessionRole(owner, "s1", "viewer")).toBe("owner");
  });

  it("a share link reaches only its own session", () => {
    expect(sessionRole(link, "s1", undefined)).toBe("viewer");
    expect(sessionRole(link, "s2", "writer")).toBeUndefined();
  });

  it("refuses with a message a person can act on", () => {
    expect(() => requireRole(writer, "input", "viewer", { name: "build" })).toThrow(
      "viewers cannot type into 'build'; ask its owner for write access",
    );
    expect(() => requireRole(writer, "share", "writer", { name: "build" })).toThrow(
      "writers cannot share 'build'; only an owner can",
    );
    expect(() => requireRole(link, "read", undefined, { name: "other" })).toThrow(
      "link x has no access to session 'other'",
    );
    expect(() => requireRole(writer, "input", "writer", { name: "build" })).not.toThrow();
  });

  it("a write link types and runs its kind's commands but does not own its session", () => {
    const writeLink: Principal = { ...link, role: "writer" };
    for (const action of ["read", "input", "resize", "command"] as const) {
      expect(() => requireRole(writeLink, action, "writer", { name: "build" })).not.toThrow();
    }
    expect(() => requireRole(writeLink, "kill", "writer", { name: "build" })).toThrow(
      "a share link may type into 'build' but not kill it; ask its owner",
    );
    for (const action of ["rename", "revive", "share"] as const) {
      expect(() => requireRole(writeLink, action, "writer", { name: "build" })).toThrow(/ask its owner$/);
    }
    expect(() => requireRole(link, "rename", "viewer", { name: "build" })).toThrow(
      "a share link may watch 'build' but not rename it; ask its owner",
    );
  });

  it("a kind's controlling verb is a writer's, never a share link's, and is named in the refusal", () => {
    const restart = { control: "restart its kernel" };
    expect(kindCommandAction(restart)).toBe("control");
    expect(kindCommandAction({ readOnly: true })).toBe("read");
    expect(kindCommandAction({})).toBe("command");
    expect(kindCommandAction(undefined)).toBe("command");
    const writeLink: Principal = { ...link, role: "writer" };
    expect(() => requireRole(writeLink, "control", "writer", { name: "nb" }, restart.control)).toThrow(
      "a share link may type into 'nb' but not restart its kernel; ask its owner",
    );
    expect(() => requireRole(writer, "control", "viewer", { name: "nb" }, restart.control)).toThrow(
      "viewers of 'nb' cannot restart its kernel; ask its owner for write access",
    );
    expect(() => requireRole(writer, "control", "writer", { name: "nb" }, restart.control)).not.toThrow();
  });
});
