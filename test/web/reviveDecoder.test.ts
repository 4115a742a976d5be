/**
 * A program that dies inside a UTF-8 character leaves the browser's stream decoder holding the
 * character's first bytes. The session revived, the next output (the old screen shown again,
 * then the new program's) was decoded after them and its first character drew as `�`: the
 * decoder is reset at the `exit`, as it is at a snapshot (`snapshotDecoder.test.ts`).
 *
 * Real hub, host, PTY, program and web UI; the page stays open across the exit and the revive.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { terminalLines, waitForLine, webSuite } from "./browser.js";

describe("web terminal: a revive after a program died inside a character", () => {
  const web = webSuite();

  it("draws the revived program's first character, not �", async () => {
    const cut = join(web.hub.home, "revive-decoder-cut");
    const go = join(web.hub.home, "revive-decoder-go");
    // First run: a line; once the page shows it, the first two bytes of `漢` (\346\274), and
    // the program exits. Revived: a line starting with a character.
    const script = [
      `if [ -f ${go} ]; then printf '字 after\\n'; exec sleep 600; fi`,
      `printf 'before\\n'; while [ ! -f ${cut} ]; do sleep 0.05; done; printf '\\346\\274'`,
    ].join("; ");
    const created = await web.hub.api("/api/sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "cutexit", command: ["sh", "-c", script], cols: 80, rows: 24 }),
    });
    expect(created.status).toBe(201);

    const { page, problems } = await web.page({ signedIn: true });
    await page.locator('[data-session="cutexit"] button.select').click();
    await waitForLine(page, "cutexit", /^before$/);
    writeFileSync(cut, "");
    const ended = page.locator('[data-ended="cutexit"]');
    await ended.waitFor();

    writeFileSync(go, "");
    await ended.getByRole("button", { name: "Revive" }).click();
    await waitForLine(page, "cutexit", /after$/);
    // The revive shows the old screen again, then the new program's output: neither starts
    // with what the dead program left unfinished.
    const lines = (await terminalLines(page, "cutexit")).filter((line) => line !== "");
    expect(lines.filter((line) => line.endsWith("before"))).toEqual(["before", "before"]);
    expect(lines.filter((line) => line.endsWith("after"))).toEqual(["字 after"]);
    expect(lines.join("\n")).not.toContain("�");
    expect(problems).toEqual([]);
  }, 60_000);
});
