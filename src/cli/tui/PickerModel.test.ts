import { describe, expect, it } from "vitest";
import type { SessionInfo } from "../../protocol/session.js";
import { parseKeys } from "./keys.js";
import { PickerModel } from "./PickerModel.js";
import { renderPicker } from "./pickerView.js";

function session(name: string, lastActivityAt: number, project: string | null = null): SessionInfo {
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
    lastActivityAt,
    lastSeq: 1,
    bytes: 0,
    preview: "",
    project,
  };
}

/** Two in `shop`, one in `blog`, one in none. */
const inTwoProjects = () => [
  session("loose", 9),
  session("shop-db", 1, "shop"),
  session("blog", 5, "blog"),
  session("shop-api", 2, "shop"),
];

function type(model: PickerModel, text: string) {
  return parseKeys(text).map((key) => model.handle(key));
}

describe("PickerModel", () => {
  it("lists the most recently active first and moves the selection", () => {
    const model = new PickerModel();
    model.setSessions([session("old", 1), session("new", 2)]);
    expect(model.selected()?.name).toBe("new");
    type(model, "\x1b[B");
    expect(model.selected()?.name).toBe("old");
    expect(type(model, "\r")).toEqual([{ type: "attach", session: model.selected() }]);
  });

  it("n, r, x, q are commands only while the filter is empty; / starts a filter", () => {
    const model = new PickerModel();
    model.setSessions([session("nightly", 1), session("web", 2)]);
    expect(type(model, "n")).toEqual([{ type: "create" }]);
    type(model, "/ni");
    expect(model.filter).toBe("ni");
    expect(model.visible().map((s) => s.name)).toEqual(["nightly"]);
    type(model, "q");
    expect(model.filter).toBe("niq");
    type(model, "\x1b");
    expect(model.filter).toBe("");
    expect(type(model, "q")).toEqual([{ type: "quit" }]);
    type(model, "w");
    expect(type(model, "\x0e")).toEqual([{ type: "create" }]);
  });

  it("asks before killing and edits a new name", () => {
    const model = new PickerModel();
    model.setSessions([session("web", 1)]);
    type(model, "x");
    expect(model.prompt?.mode).toBe("kill");
    expect(type(model, "n")).toEqual([{ type: "none" }]);
    type(model, "x");
    expect(type(model, "y")[0]?.type).toBe("kill");

    type(model, "r");
    type(model, "\x15api\r".slice(0, 4));
    const [action] = type(model, "\r");
    expect(action).toMatchObject({ type: "rename", name: "api" });
  });

  it("groups sessions by project and switches the current project with p", () => {
    const model = new PickerModel();
    model.setSessions(inTwoProjects());
    const names = () => model.visible().map((s) => s.name);
    expect(names()).toEqual(["blog", "shop-api", "shop-db", "loose"]);
    expect(type(model, "p")).toEqual([{ type: "project", project: "blog" }]);
    expect(names()).toEqual(["blog"]);
    expect(type(model, "p")).toEqual([{ type: "project", project: "shop" }]);
    expect(names()).toEqual(["shop-api", "shop-db"]);
    expect(model.message).toBe("project shop");
    expect(type(model, "p")).toEqual([{ type: "project", project: "" }]);
    expect(names()).toHaveLength(4);
  });

  it("counts, in the title, the sessions of the project it is narrowed to", () => {
    const model = new PickerModel();
    model.setSessions(inTwoProjects());
    const title = () => {
      const frame = renderPicker(model, { cols: 80, rows: 24, now: 10, isUnread: () => false, preview: [] });
      return /dispatch[^\x1b]*/.exec(frame)?.[0].trim();
    };
    expect(title()).toBe("dispatch · 4 sessions");
    model.project = "shop";
    expect(title()).toBe("dispatch · project shop · 2 sessions");
    model.project = "blog";
    expect(title()).toBe("dispatch · project blog · 1 session");
    // A current project none of the sessions belongs to any more: every session is listed.
    model.project = "gone";
    expect(title()).toBe("dispatch · 4 sessions");
  });

  it("shows PROJECT and HOST only when they tell the sessions apart, as `dispatch ls` does", () => {
    const model = new PickerModel();
    const header = () =>
      renderPicker(model, { cols: 100, rows: 24, now: 10, isUnread: () => false, preview: [] })
        .split(/\x1b\[[0-9;]*H/)
        .map((line) => line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, ""))
        .find((line) => line.includes("NAME"))
        ?.trim()
        .split(/\s+/);
    model.setSessions([session("a", 1), session("b", 2)]);
    expect(header()).toEqual(["NAME", "KIND", "STATUS", "AGE", "ACTIVE"]);
    model.setSessions(inTwoProjects());
    expect(header()).toEqual(["NAME", "PROJECT", "KIND", "STATUS", "AGE", "ACTIVE"]);
    model.setSessions([session("a", 1), { ...session("b", 2), host: "gpu-box" }]);
    expect(header()).toEqual(["NAME", "KIND", "HOST", "STATUS", "AGE", "ACTIVE"]);
  });
});
