/**
 * `dispatch edit PATH` from a subdirectory opens the file the person means on the hub's own
 * host, as the shell would take the path (`..`, a quoted `~`, `..` after a symbolic link), and a
 * path that is missing or a directory is refused with what to do.
 */
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub } from "./harness.js";

let h: HubHandle;
/** The test's HOME (the editor's allowed root), real, as the hub names files. */
let home: string;

beforeAll(async () => {
  h = await startHub();
  home = realpathSync(h.home);
  mkdirSync(join(home, "proj", "sub"), { recursive: true });
  mkdirSync(join(home, "a", "b"), { recursive: true });
  writeFileSync(join(home, "proj", "x.txt"), "in proj\n");
  writeFileSync(join(home, "a", "b", "target.txt"), "behind a link\n");
  symlinkSync(join(home, "a", "b"), join(home, "proj", "sub", "lnk"));
});
afterAll(async () => {
  await h?.stop();
  await cleanupAll();
});

/** `dispatch ARGS` typed in ~/proj/sub. */
function inSub(args: string[]) {
  return h.cli(args, { cwd: join(home, "proj", "sub") });
}

it("opens ../x.txt, a quoted ~/ path and link/.. as the shell names them", async () => {
  const opened = await inSub(["edit", "../x.txt", "--name", "rel"]);
  expect(opened.code, opened.stderr).toBe(0);
  expect(opened.stdout.trim()).toBe("rel");
  expect((await inSub(["cat", "rel"])).stdout).toBe("in proj\n");
  // `~` quoted reaches the CLI as typed: it is the home directory, so the same file's session.
  const tilde = await inSub(["edit", "~/proj/x.txt"]);
  expect(tilde.code, tilde.stderr).toBe(0);
  expect(tilde.stdout.trim()).toBe("rel");
  // `lnk/..` is the link target's parent (as `cat lnk/../b/target.txt` reads), not ~/proj/sub.
  const linked = await inSub(["edit", "lnk/../b/target.txt", "--name", "linked"]);
  expect(linked.code, linked.stderr).toBe(0);
  expect((await inSub(["cat", "linked"])).stdout).toBe("behind a link\n");
});

it("says what to do for a missing file, a missing directory and a directory", async () => {
  const missing = await inSub(["edit", "../nope.txt"]);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain(
    `no file ${join(home, "proj", "nope.txt")} (for '../nope.txt'); check the path, or pass --create`,
  );
  const noDir = await inSub(["edit", "../nowhere/x.txt"]);
  expect(noDir.code).toBe(1);
  expect(noDir.stderr).toContain(`the directory ${join(home, "proj", "nowhere")} does not exist`);
  const dir = await inSub(["edit", ".."]);
  expect(dir.code).toBe(1);
  expect(dir.stderr).toContain(
    `${join(home, "proj")} is a directory; name a file in it (\`dispatch files ${join(home, "proj")}\``,
  );
});
