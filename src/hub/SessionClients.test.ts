import { describe, expect, it } from "vitest";
import type { Principal } from "../protocol/people.js";
import { SessionClients, type Size, type SizeRule } from "./SessionClients.js";

const person = (id: string, role: Principal["role"] = "writer"): Principal => ({
  id,
  name: id,
  role,
  via: "token",
});

function setup(rule: SizeRule) {
  const applied: string[] = [];
  const presence: string[][] = [];
  const clients = new SessionClients({
    rule,
    resize: (_session, size: Size) => applied.push(`${size.cols}x${size.rows}`),
    presenceChanged: (_session, entries) =>
      presence.push(entries.map((e) => `${e.name}:${e.role}:${e.clients}`)),
  });
  const join = (client: string, who: string, size: Size, role: Principal["role"] = "writer") =>
    clients.join("s", client, { principal: person(who, role), role, writer: role !== "viewer", size });
  return { clients, applied, presence, join };
}

describe("SessionClients", () => {
  it("latest: the most recently active writer's size, back to the other's when it leaves", () => {
    const { clients, applied, join } = setup("latest");
    join("a", "ann", { cols: 120, rows: 40 });
    join("b", "bob", { cols: 80, rows: 24 });
    clients.active("s", "a");
    clients.leave("s", "a");
    expect(applied).toEqual(["120x40", "80x24", "120x40", "80x24"]);
  });

  it("keys typed by the writer last active change nothing and do not look the size rule up", () => {
    let lookups = 0;
    const applied: string[] = [];
    const clients = new SessionClients({
      rule: "latest",
      ruleFor: () => {
        lookups++;
        return undefined;
      },
      resize: (_session, size: Size) => applied.push(`${size.cols}x${size.rows}`),
      presenceChanged: () => undefined,
    });
    const join = (client: string, size: Size) =>
      clients.join("s", client, { principal: person(client), role: "writer", writer: true, size });
    join("a", { cols: 120, rows: 40 });
    join("b", { cols: 80, rows: 24 });
    clients.active("s", "a");
    const before = lookups;
    for (let key = 0; key < 5; key++) clients.active("s", "a");
    expect(lookups).toBe(before);
    // Another writer's key still switches the size to theirs, and back.
    clients.active("s", "b");
    clients.active("s", "a");
    expect(applied).toEqual(["120x40", "80x24", "120x40", "80x24", "120x40"]);
  });

  it("viewers never set or change the size", () => {
    const { clients, applied, join } = setup("latest");
    join("a", "ann", { cols: 100, rows: 30 });
    join("v", "vic", { cols: 20, rows: 5 }, "viewer");
    clients.active("s", "v", { cols: 10, rows: 3 });
    expect(applied.every((size) => size === "100x30")).toBe(true);
    expect(clients.chosen("s")).toEqual({ cols: 100, rows: 30 });
  });

  it("smallest and largest take the extremes over writers", () => {
    const small = setup("smallest");
    small.join("a", "ann", { cols: 120, rows: 20 });
    small.join("b", "bob", { cols: 80, rows: 40 });
    expect(small.clients.chosen("s")).toEqual({ cols: 80, rows: 20 });
    const large = setup("largest");
    large.join("a", "ann", { cols: 120, rows: 20 });
    large.join("b", "bob", { cols: 80, rows: 40 });
    expect(large.clients.chosen("s")).toEqual({ cols: 120, rows: 40 });
  });

  it("a session with a rule of its own (a line editor's: smallest) keeps it whoever typed last", () => {
    const applied: string[] = [];
    const clients = new SessionClients({
      rule: "latest",
      ruleFor: (session) => (session === "console" ? "smallest" : undefined),
      resize: (session, size: Size) => applied.push(`${session} ${size.cols}`),
      presenceChanged: () => undefined,
    });
    for (const session of ["console", "shell"]) {
      clients.join(session, "a", {
        principal: person("ann"),
        role: "writer",
        writer: true,
        size: { cols: 60, rows: 20 },
      });
      clients.join(session, "b", {
        principal: person("bob"),
        role: "writer",
        writer: true,
        size: { cols: 120, rows: 40 },
      });
      clients.active(session, "a");
      clients.active(session, "b");
    }
    expect(clients.chosen("console")?.cols).toBe(60);
    expect(clients.chosen("shell")?.cols).toBe(120);
  });

  it("presence has one entry per person, counting their clients", () => {
    const { clients, presence, join } = setup("latest");
    join("a1", "ann", { cols: 80, rows: 24 });
    join("a2", "ann", { cols: 80, rows: 24 });
    join("v", "vic", { cols: 80, rows: 24 }, "viewer");
    clients.leave("s", "a1");
    expect(presence.at(-2)).toEqual(["ann:writer:2", "vic:viewer:1"]);
    expect(presence.at(-1)).toEqual(["ann:writer:1", "vic:viewer:1"]);
  });
});
