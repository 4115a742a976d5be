/**
 * A cell whose kernel lost its messages (its idle status never came, as a kernel's PUB socket
 * drops messages under a flood): the evaluation's card and the transcript in the web say its
 * output is not all it printed, and why. Before, the card showed the lines that came and
 * nothing more, as if that were everything.
 *
 * Real hub, host, web UI and a kernel process speaking the Jupyter wire protocol over ZeroMQ,
 * scripted to lose each cell's end (`lossyKernel.ts`: a real kernel cannot drop on demand).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "../harness.js";
import { LOSSY_KERNEL } from "../lossyKernel.js";
import { installScriptedKernel } from "../scriptedKernel.js";
import { webSuite } from "./browser.js";

const jupyterPath = mkdtempSync(join(tmpdir(), "dispatch-jupyter-"));
installScriptedKernel(jupyterPath, "lossy", LOSSY_KERNEL);
afterAll(() => rmSync(jupyterPath, { recursive: true, force: true }));

describe("web workspace: a cell whose output was lost on the way", () => {
  const web = webSuite({ env: { JUPYTER_PATH: jupyterPath } });

  it("is said to be incomplete on its card and in the transcript", async () => {
    const created = await web.hub.cli(["new", "--kernel", "lossy", "--name", "lossy"]);
    expect(created.code, created.stderr).toBe(0);
    const { page, problems } = await web.page({ signedIn: true });
    await page.locator('[data-session="lossy"] button.select').click();
    const ws = page.getByRole("region", { name: "Workspace lossy" });
    const state = ws.getByRole("status", { name: "Execution state" });
    await waitFor(async () => (await state.textContent())?.includes("idle"), {
      timeoutMs: 60_000,
      message: "the kernel idle",
    });

    // Run from the page, as a person would.
    await ws.locator(".cm-content").click();
    await page.keyboard.type("flood()");
    await page.keyboard.press("Control+Enter");

    const card = ws.getByRole("log", { name: "Evaluations" }).locator("article").last();
    const note = card.locator('[data-incomplete="dropped"]');
    await note.waitFor({ timeout: 30_000 });
    expect(await card.locator('[data-output="stream"]').textContent()).toBe("one\ntwo\nthree\n");
    expect(await note.textContent()).toContain(
      "The kernel dropped some of this cell's output (it printed faster than it could be sent): what is shown is not all of it; print less, or to a file.",
    );

    await ws.getByRole("tab", { name: "Transcript" }).click();
    const transcript = ws.getByRole("log", { name: "Transcript" });
    await transcript.getByText("the kernel dropped some of cell 1's output").waitFor();
    expect(problems).toEqual([]);
  }, 120_000);
});
