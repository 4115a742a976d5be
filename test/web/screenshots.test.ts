/**
 * Refreshes docs/screenshots (login, main view with the host panel, a chat, phone). Runs only
 * with DISPATCH_SCREENSHOTS=1, so ordinary test runs leave the working tree alone:
 *   npm run build && DISPATCH_SCREENSHOTS=1 npx vitest run test/web/screenshots.test.ts
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../harness.js";
import {
  createSession,
  login,
  type RemoteHost,
  startRemoteHost,
  typeLine,
  waitForLine,
  webSuite,
} from "./browser.js";

const OUT = resolve(REPO_ROOT, "docs/screenshots");

/** What the fake model answers, in OpenAI chat-completions SSE chunks. */
const REPLY = [
  "Use a **bounded** retry with backoff and jitter:\n\n",
  "```ts\nasync function retry<T>(fn: () => Promise<T>, tries = 5): Promise<T> {\n",
  "  for (let i = 0; ; i++) {\n    try {\n      return await fn();\n    } catch (err) {\n",
  "      if (i + 1 >= tries) throw err;\n      await sleep(2 ** i * 100 * (0.5 + Math.random() / 2));\n",
  "    }\n  }\n}\n```\n\n",
  "- the cap keeps a dead service from hanging callers\n- jitter spreads the retries of many clients\n",
];

describe("screenshots", () => {
  const web = webSuite({ env: { TEST_CHAT_KEY: "sk-screens" } });
  let server: Server;
  let remote: RemoteHost | undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "text/event-stream" });
        const chunk = (delta: Record<string, unknown>, finish: string | null) =>
          `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "gpt-local", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
        for (const content of REPLY) res.write(chunk({ content }, null));
        res.write(chunk({}, "stop"));
        res.end("data: [DONE]\n\n");
      });
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  });

  afterAll(async () => {
    remote?.dispose();
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  it("captures the main views", async () => {
    const hub = web.hub;
    remote = await startRemoteHost(hub, "gpu-box");
    const desktop = await web.page({ viewport: { width: 1100, height: 700 } });
    const { page } = desktop;
    await page.getByLabel("Access key").waitFor();
    await page.screenshot({ path: `${OUT}/login.png` });

    await login(page, hub.key);
    await page
      .locator('[data-host="gpu-box"] .status', { hasText: "connected" })
      .waitFor({ timeout: 20_000 });
    await createSession(page, "api-server");
    await typeLine(page, 'for i in 1 2 3; do echo "GET /api/items/$i 200 $((i * 7))ms"; done');
    await waitForLine(page, "api-server", /items\/3 200/);
    const agent = await hub.api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({
        name: "refactor",
        kind: "agent",
        host: "gpu-box",
        command: ["sh", "-c", "echo 'planning the change'; printf 'Apply 3 edits? [y/N] '; sleep 600"],
        options: { profile: "claude" },
      }),
    });
    expect(agent.status).toBeLessThan(300);
    await page.getByRole("button", { name: "New session on gpu-box" }).click();
    const dialog = page.getByRole("dialog", { name: "New session" });
    await dialog.getByLabel("Name", { exact: true }).fill("train");
    await dialog.getByLabel("Command").fill("bash --noprofile --norc");
    await dialog.getByRole("button", { name: "Create" }).click();
    await page.getByRole("heading", { name: "train", level: 1 }).waitFor();
    await typeLine(
      page,
      "printf 'epoch 1/3 loss \\033[33m0.912\\033[0m\\nepoch 2/3 loss \\033[33m0.604\\033[0m\\nepoch 3/3 loss \\033[32m0.431\\033[0m\\n'",
    );
    await waitForLine(page, "train", /epoch 3\/3/);
    await page.locator('[data-session="refactor"] .needs-you').waitFor({ timeout: 20_000 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${OUT}/main.png` });

    const chat = await hub.api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({
        name: "ask",
        kind: "chat",
        options: {
          provider: "openai",
          profile: "local",
          baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
          model: "gpt-local",
          apiKeyEnv: "TEST_CHAT_KEY",
          maxRetries: 0,
        },
      }),
    });
    expect(chat.status).toBeLessThan(300);
    await page.locator('[data-session="ask"] button.select').click();
    const input = page.getByRole("textbox", { name: "Message" });
    await input.fill("How should I retry a flaky HTTP call in TypeScript?");
    await input.press("Enter");
    await page.locator("[data-chat] pre code").waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Send" }).waitFor();
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${OUT}/chat.png` });

    const phone = await web.page({
      contextOptions: { viewport: { width: 390, height: 720 }, isMobile: true, hasTouch: true },
      login: true,
    });
    await phone.page.locator('[data-session="api-server"] button.select').click();
    await phone.page.getByRole("toolbar", { name: "Terminal keys" }).waitFor();
    await phone.page.waitForTimeout(300);
    await phone.page.screenshot({ path: `${OUT}/phone.png` });
    await phone.page.getByRole("button", { name: "Sessions", exact: true }).click();
    await phone.page.waitForTimeout(400);
    await phone.page.screenshot({ path: `${OUT}/phone-drawer.png` });
  });
});
