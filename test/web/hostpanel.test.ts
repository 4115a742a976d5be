/**
 * The host panel against a hub with a real remote host (`dispatch host`, its own home): both
 * hosts listed as connected with health and counts, the session panel filtered by host, a
 * session created on the remote host from its panel entry, cleanup and revoke behind a
 * confirmation, and the host killed: disconnected, its session unreachable.
 */
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { type RemoteHost, startRemoteHost, TEST_SHELL, typeLine, waitForLine, webSuite } from "./browser.js";

/** A short beat so the lost host shows quickly; the behaviour is the same at the default. */
const HEARTBEAT_MS = 200;

describe("web host panel", () => {
  const web = webSuite({ env: { DISPATCH_HEARTBEAT_MS: String(HEARTBEAT_MS) } });
  let remote: RemoteHost | undefined;

  afterAll(() => remote?.dispose());

  it("lists hosts, filters by host, creates on a host, cleans up, revokes, and shows a lost host", async () => {
    const hub = web.hub;
    remote = await startRemoteHost(hub, "h1");
    // A local session, and one that has ended (for cleanup).
    for (const [name, command] of [
      ["loc1", ["bash", "--noprofile", "--norc"]],
      ["gone", ["sh", "-c", "exit 3"]],
    ] as const) {
      const created = await hub.api("/api/sessions", {
        method: "POST",
        body: JSON.stringify({ name, command, cwd: tmpdir() }),
      });
      expect(created.status, await created.clone().text()).toBeLessThan(300);
    }

    const { page, problems } = await web.page({ login: true });
    const hosts = page.getByRole("region", { name: "Hosts" });
    const local = hosts.locator('[data-host="local"]');
    const h1 = hosts.locator('[data-host="h1"]');
    await expect.poll(() => local.locator(".status").textContent(), { timeout: 20_000 }).toBe("connected");
    await expect.poll(() => h1.locator(".status").textContent(), { timeout: 20_000 }).toBe("connected");
    await expect.poll(() => h1.locator(".health").textContent(), { timeout: 20_000 }).toBe("healthy");
    await expect.poll(() => h1.locator(".rtt").textContent(), { timeout: 20_000 }).toMatch(/\d ms$/);
    await expect.poll(() => local.locator(".counts").textContent()).toBe("1/2 running");
    await expect.poll(() => h1.locator(".counts").textContent()).toBe("0/0 running");
    // The page loses its link to the hub: what it knew of the hosts may be stale, so it shows
    // them unknown and when it last heard (they stayed "connected", "healthy"); back, as they are.
    const heard = problems.length;
    await page.context().setOffline(true);
    await page.locator(".banner-slot .banner").waitFor();
    await expect.poll(() => h1.locator(".status").textContent()).toBe("unknown");
    expect(await h1.locator(".health").textContent()).toMatch(/^last seen \d+s ago$/);
    expect(await h1.locator(".rtt").textContent()).toBe("–");
    expect(await local.getByRole("button", { name: "New session on local" }).isDisabled()).toBe(true);
    await page.context().setOffline(false);
    await expect.poll(() => h1.locator(".status").textContent(), { timeout: 20_000 }).toBe("connected");
    await expect.poll(() => h1.locator(".health").textContent(), { timeout: 20_000 }).toBe("healthy");
    await expect.poll(() => local.locator(".status").textContent()).toBe("connected");
    // The browser's own reports of the attempts made offline, and nothing else.
    const offline = problems.splice(heard);
    expect(offline.filter((p) => !/ERR_INTERNET_DISCONNECTED|WebSocket connection to/.test(p))).toEqual([]);

    // Each session says where it runs.
    await expect.poll(() => page.locator('[data-session="loc1"] .host').textContent()).toBe("local");

    // New session on h1, from the host's own entry: the dialog has h1 preselected.
    await hosts.getByRole("button", { name: "New session on h1" }).click();
    const dialog = page.getByRole("dialog", { name: "New session" });
    expect(await dialog.getByLabel("Host").inputValue()).toBe("h1");
    await dialog.getByLabel("Name", { exact: true }).fill("rem1");
    await dialog.getByLabel("Command").fill(TEST_SHELL);
    await dialog.getByRole("button", { name: "Create" }).click();
    await page.getByRole("heading", { name: "rem1", level: 1 }).waitFor();
    await typeLine(page, "echo on-$((6 * 7))-remote");
    await waitForLine(page, "rem1", /^on-42-remote$/);
    await expect.poll(() => page.locator('[data-session="rem1"] .host').textContent()).toBe("h1");
    const api = (await (await hub.api("/api/sessions/rem1")).json()) as { session: { host: string } };
    expect(api.session.host).toBe("h1");
    await expect.poll(() => h1.locator(".counts").textContent()).toBe("1/1 running");

    // The host filter: in the session panel, and by picking a host in the host panel.
    const sessions = page.getByRole("navigation", { name: "Sessions" });
    const names = () =>
      sessions.locator("[data-session]").evaluateAll((els) => els.map((e) => e.getAttribute("data-session")));
    await sessions.getByLabel("Filter sessions by host").selectOption("h1");
    await expect.poll(names).toEqual(["rem1"]);
    await sessions.getByLabel("Filter sessions by host").selectOption("local");
    await expect.poll(names).toEqual(["loc1", "gone"]);
    await sessions.getByLabel("Filter sessions by host").selectOption("");
    await expect.poll(names).toEqual(["loc1", "gone", "rem1"]);
    await h1.getByRole("button", { name: /^h1/ }).click();
    await expect.poll(names).toEqual(["rem1"]);
    expect(await sessions.getByLabel("Filter sessions by host").inputValue()).toBe("h1");
    await h1.getByRole("button", { name: /^h1/ }).click();
    await expect.poll(names).toEqual(["loc1", "gone", "rem1"]);

    // Cleanup asks first; cancel keeps everything, confirm removes the ended session only.
    await local.getByRole("button", { name: "Clean up local" }).click();
    const cleanup = page.getByRole("dialog", { name: "Clean up local?" });
    await cleanup.getByRole("button", { name: "Cancel" }).click();
    await cleanup.waitFor({ state: "hidden" });
    expect(await names()).toContain("gone");
    await local.getByRole("button", { name: "Clean up local" }).click();
    await cleanup.getByRole("button", { name: "Clean up" }).click();
    await expect.poll(names).toEqual(["loc1", "rem1"]);
    await page.getByText("local: removed 1 session").waitFor();

    // The host goes away: disconnected (or failed), its session unreachable.
    remote.kill();
    await expect
      .poll(() => h1.locator(".status").textContent(), { timeout: 20_000 })
      .toMatch(/^(disconnected|failed)$/);
    await expect
      .poll(() => page.locator('[data-session="rem1"] .status').textContent(), { timeout: 20_000 })
      .toBe("unreachable");
    expect(await h1.locator(".rtt").textContent()).toBe("–");
    // Each key typed there is refused, saying so once: one toast counting them, not a wall.
    await page.getByRole("region", { name: "Terminal rem1" }).click();
    await page.keyboard.type("abcdef");
    const away = page.locator(".toast", { hasText: "host 'h1' is not connected right now" });
    await expect.poll(() => away.locator(".count").textContent(), { timeout: 20_000 }).toBe("×6");
    expect(await away.count()).toBe(1);
    // Nothing can start there now: the button says so instead of failing when pressed.
    const newThere = h1.getByRole("button", { name: "New session on h1" });
    await expect.poll(() => newThere.isDisabled()).toBe(true);
    expect(await newThere.getAttribute("title")).toMatch(
      /^h1 is (disconnected|failed): a session can start there/,
    );

    // Revoke asks first; the toast reports the hub's answer (a token was revoked).
    await h1.getByRole("button", { name: "Revoke h1's token" }).click();
    await page
      .getByRole("dialog", { name: "Revoke h1's token?" })
      .getByRole("button", { name: "Revoke token" })
      .click();
    await page.getByText("h1's token is revoked").waitFor();
    // The local host has no token to revoke.
    expect(await local.getByRole("button", { name: /Revoke/ }).count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
