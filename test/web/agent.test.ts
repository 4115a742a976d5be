/**
 * Agent sessions in the web UI: a script stands in for the agent and reports `waiting` with
 * `dispatch notify` as a hook would; the row shows "needs you" (and "needs you?" for a state
 * the host only guessed), and with notifications turned on (the bell, permission granted) a
 * browser Notification is shown for a session that is not on screen.
 */
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { BIN } from "../harness.js";
import { createSession, newContext, typeLine, webSuite } from "./browser.js";

const NODE = JSON.stringify(process.execPath);
const DISPATCH = JSON.stringify(BIN);
/** Says it waits (a hook's report), reads an answer, then says it works. */
const HOOKED_AGENT = [
  "echo reading the code",
  `${NODE} ${DISPATCH} notify --state waiting --message 'approve?'`,
  "printf 'Proceed? '",
  "read answer",
  `${NODE} ${DISPATCH} notify --state working --message "got $answer"`,
  "sleep 600",
].join("; ");
/** No hooks: a prompt and silence, which the host can only guess means waiting. */
const SILENT_AGENT = "echo thinking; printf 'Continue? '; sleep 600";

interface Recorded {
  title: string;
  body: string | undefined;
}

describe("web agent sessions", () => {
  const web = webSuite();

  async function createAgent(name: string, script: string): Promise<void> {
    const response = await web.hub.api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({
        name,
        kind: "agent",
        command: ["sh", "-c", script],
        cwd: tmpdir(),
        options: { profile: "fake" },
      }),
    });
    expect(response.status, await response.clone().text()).toBeLessThan(300);
  }

  it("marks agents that need you and notifies when the page allows it", async () => {
    const context = await newContext(web.browser);
    await context.grantPermissions(["notifications"], { origin: web.hub.url });
    // Records every Notification the page constructs (and shows none).
    await context.addInitScript(() => {
      const calls: { title: string; body: string | undefined }[] = [];
      (window as unknown as { __notifications: typeof calls }).__notifications = calls;
      const Original = window.Notification;
      window.Notification = new Proxy(Original, {
        construct(_target, args: [string, NotificationOptions?]) {
          calls.push({ title: args[0], body: args[1]?.body });
          return { close() {}, onclick: null };
        },
        get(target, prop) {
          const value = Reflect.get(target, prop, target) as unknown;
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    });
    const { page, problems } = await web.page({ context, login: true });
    const notifications = () =>
      page.evaluate(() => (window as unknown as { __notifications: Recorded[] }).__notifications);

    // The session on screen is a plain terminal; the agents run in the background.
    await createSession(page, "desk");
    const bell = page.getByRole("button", { name: "Notify me when an agent needs me" });
    expect(await bell.getAttribute("aria-pressed")).toBe("false");
    await bell.click();
    await expect.poll(() => bell.getAttribute("aria-pressed")).toBe("true");

    await createAgent("hooked", HOOKED_AGENT);
    const hooked = page.locator('[data-session="hooked"]');
    await expect
      .poll(() => hooked.locator(".needs-you").textContent(), { timeout: 20_000 })
      .toBe("needs you");
    expect(await hooked.locator(".needs-you.guess").count()).toBe(0);
    expect(await hooked.getByRole("button", { name: /^hooked,/ }).getAttribute("aria-label")).toContain(
      "needs you",
    );
    await expect.poll(notifications).toEqual([{ title: "hooked needs you", body: "approve?" }]);

    // Answering it: the agent works again and the marker goes.
    await hooked.locator("button.select").click();
    await page.getByRole("heading", { name: "hooked", level: 1 }).waitFor();
    await typeLine(page, "yes");
    await expect
      .poll(() => hooked.locator(".fg").textContent(), { timeout: 20_000 })
      .toBe("working: got yes");
    expect(await hooked.locator(".needs-you").count()).toBe(0);

    // An agent without hooks: the host guesses, and the page says it is a guess.
    await createAgent("silent", SILENT_AGENT);
    const silent = page.locator('[data-session="silent"]');
    await expect
      .poll(() => silent.locator(".needs-you.guess").textContent(), { timeout: 20_000 })
      .toBe("needs you?");
    await expect
      .poll(notifications)
      .toContainEqual({ title: "silent needs you (a guess)", body: "Continue?" });
    expect(await notifications()).toHaveLength(2);

    // Turned off: no more notifications are asked for.
    await bell.click();
    await expect.poll(() => bell.getAttribute("aria-pressed")).toBe("false");
    expect(problems).toEqual([]);
  });
});
