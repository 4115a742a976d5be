import { describe, expect, it } from "vitest";
import type { SessionInfo } from "../../protocol/session.js";
import { checkoutOf, inProject, placedInHub, projectInHub, tagged } from "./checkout.js";
import { planUp } from "./plan.js";
import { parseProjectFile } from "./projectFile.js";

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

describe("checkouts", () => {
  const file = (dir: string) =>
    parseProjectFile(`project = "shop"\n[[session]]\nname = "db"\n`, `${dir}/dispatch.toml`);
  const [a, b] = [file("/src/a"), file("/src/b")];
  const of = (dir: string) => `d1@${checkoutOf(`${dir}/dispatch.toml`)}@shop`;

  it("gives a second checkout the first free NAME-N and its sessions the suffix, and each keeps its own", () => {
    const first = [session("db", { declaration: of("/src/a") })];
    expect(projectInHub(a, first)).toBe("shop");
    expect(projectInHub(b, first)).toBe("shop-2");
    const placed = placedInHub(b, "shop-2");
    expect(placed.sessions[0]).toMatchObject({
      name: "db-2",
      declaration: tagged(b.sessions[0]?.declaration as string, checkoutOf(b.path), "shop"),
    });
    // Once a's sessions are gone, b keeps the name its sessions have.
    expect(projectInHub(b, [session("db-2", { project: "shop-2", declaration: of("/src/b") })])).toBe(
      "shop-2",
    );
  });

  it("skips a suffix that would give a session a name the project declares or another session holds", () => {
    const declaring = (dir: string) =>
      parseProjectFile(
        `project = "shop"\n[[session]]\nname = "db"\n[[session]]\nname = "db-2"\n`,
        `${dir}/dispatch.toml`,
      );
    const first = [
      session("db", { declaration: of("/src/a") }),
      session("db-2", { declaration: of("/src/a") }),
    ];
    // `shop-2` would run b's `db` as `db-2`, which is a's.
    expect(projectInHub(declaring("/src/b"), first)).toBe("shop-3");
    expect(placedInHub(declaring("/src/b"), "shop-3").sessions.map((s) => s.name)).toEqual([
      "db-3",
      "db-2-3",
    ]);
    // A session outside the project holding `db-2` is skipped the same way.
    expect(projectInHub(b, [...first.slice(0, 1), session("db-2", { project: null })])).toBe("shop-3");
  });

  it("tells its checkouts' sessions from those of a project in the same directory", () => {
    const other = parseProjectFile(`project = "blog"\n[[session]]\nname = "web"\n`, "/src/a/blog.toml");
    const shops = [session("db", { declaration: of("/src/a") })];
    expect(projectInHub(other, shops)).toBe("blog");
    expect(inProject(session("db-2", { project: "shop-2", declaration: of("/src/b") }), "shop")).toBe(true);
    expect(inProject(session("db-2", { project: "shop-2", declaration: of("/src/b") }), "shop-2")).toBe(true);
    expect(inProject(session("db", { declaration: of("/src/a") }), "shop-2")).toBe(false);
  });

  it("takes a session tagged before checkouts were as the checkout's it runs in, without restarting it", () => {
    const old = [session("db", { declaration: "d1", cwd: "/src/a/db" })];
    expect(projectInHub(a, old)).toBe("shop");
    const plan = planUp({
      project: "shop",
      declared: [{ name: "db", declaration: of("/src/a") }],
      existing: old,
    });
    expect(plan.steps.get("db")?.type).toBe("keep");
    // Another checkout leaves it alone.
    expect(projectInHub(b, old)).toBe("shop-2");
  });
});
