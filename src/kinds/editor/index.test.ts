import { describe, expect, it } from "vitest";
import { sessionRecord } from "../../../test/sessionRecord.js";
import { editorKind } from "./index.js";

describe("editor describe", () => {
  const described = (status: string, sessionStatus: "running" | "exited" = "running") =>
    editorKind.describe?.(
      sessionRecord({
        id: "e",
        kind: "editor",
        status: sessionStatus,
        meta: { editor: { path: "/src/app/README.md", status, hash: "h", reason: "opened", fileSeq: 2 } },
      }),
    );

  it("shows the file where a shell shows its command, with what is not as on disk", () => {
    expect(described("clean")?.foreground).toBe("README.md · /src/app");
    expect(described("dirty")?.foreground).toBe("README.md (unsaved) · /src/app");
    expect(described("conflict")?.foreground).toBe("README.md (conflict: changed on disk too) · /src/app");
    expect(described("clean")?.options).toMatchObject({ path: "/src/app/README.md", status: "clean" });
  });

  it("shows no file once the session has ended", () => {
    expect(described("clean", "exited")?.foreground).toBeUndefined();
  });
});
