import { describe, expect, it } from "vitest";
import type { SessionInfo } from "../../protocol/session.js";
import { planUp } from "./plan.js";

function session(name: string, fields: Partial<SessionInfo> = {}): SessionInfo {
  return {
    id: `id-${name}`,
    name,
    kind: "terminal",
    host: "local",
    status: "running",
    exitCode: null,
    reason: null,
    command: [],
    cwd: "/",
    cols: 80,
    rows: 24,
    pid: 1,
    foreground: null,
    createdAt: 0,
    lastActivityAt: 0,
    lastSeq: 0,
    bytes: 0,
    preview: "",
    project: "shop",
    declaration: "d1",
    ...fields,
  };
}

describe("planUp", () => {
  it("creates the missing, keeps the unchanged, restarts the changed, starts the ended, stops the undeclared", () => {
    const plan = planUp({
      project: "shop",
      declared: [
        { name: "new", declaration: "d1" },
        { name: "same", declaration: "d1" },
        { name: "edited", declaration: "d2" },
        { name: "ended", declaration: "d1" },
      ],
      existing: [
        session("same"),
        session("edited"),
        session("ended", { status: "exited", exitCode: 0 }),
        session("gone"),
        session("other", { project: "blog" }),
      ],
    });
    expect(Object.fromEntries([...plan.steps].map(([name, step]) => [name, step.type]))).toEqual({
      new: "create",
      same: "keep",
      edited: "restart",
      ended: "start",
    });
    expect(plan.undeclared.map((s) => s.name)).toEqual(["gone"]);
  });

  it("refuses a name taken outside the project, saying where", () => {
    const plan = planUp({
      project: "shop",
      declared: [
        { name: "db", declaration: "d1" },
        { name: "web", declaration: "d1" },
      ],
      existing: [session("db", { project: null }), session("web", { project: "blog" })],
    });
    const db = plan.steps.get("db");
    expect(db?.type === "conflict" && db.message).toMatch(/'db' already exists outside any project/);
    const web = plan.steps.get("web");
    expect(web?.type === "conflict" && web.message).toMatch(/in project 'blog'/);
  });
});
