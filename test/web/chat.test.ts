/**
 * A chat session in the web UI, against a local HTTP server speaking the OpenAI
 * chat-completions streaming format (through the official SDK in the host): the reply streams
 * in live and renders as Markdown with a code block, a reply in flight can be cancelled, the
 * conversation comes back after a reload, and text is never taken as HTML.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webSuite } from "./browser.js";

/** Replies whose second half waits for the test's go-ahead; released (or dropped) in afterAll. */
const holds: (() => void)[] = [];
let server: Server;
let base = "";
/** Whether a message with "fail" in it gets an HTTP 500. */
let failing = true;
/** Each request's messages, as the provider got them. */
const asked: string[][] = [];

function chunk(delta: Record<string, unknown>, finish: string | null, usage?: Record<string, number>) {
  return `data: ${JSON.stringify({
    id: "c1",
    object: "chat.completion.chunk",
    created: 1,
    model: "fake-gpt",
    choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }],
    ...(usage ? { usage } : {}),
  })}\n\n`;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body = "";
  for await (const part of req) body += part;
  const { messages } = JSON.parse(body || "{}") as { messages: { content: string }[] };
  const last = messages.at(-1)?.content ?? "";
  asked.push(messages.map((message) => message.content));
  if (last.includes("fail") && failing) {
    // An error answer as OpenAI sends it (the SDK's retries get it too).
    res.writeHead(500, { "content-type": "application/json" });
    return void res.end(
      JSON.stringify({ error: { message: "The server had an error", type: "server_error" } }),
    );
  }
  res.writeHead(200, { "content-type": "text/event-stream" });
  res.write(chunk({ role: "assistant", content: "" }, null));
  res.write(chunk({ content: "Here is **the** code" }, null));
  res.write(chunk({ content: ":" }, null));
  // Hold the rest until the test has seen the first half on the page (or forever: cancel).
  await new Promise<void>((resolve) => {
    holds.push(resolve);
    res.on("close", resolve);
  });
  if (res.destroyed || last.includes("never")) return void res.end();
  for (const content of ["\n\n```js\n", "console.log(1 < 2);\n", "```\n", "\nDone."])
    res.write(chunk({ content }, null));
  res.write(chunk({}, "stop"));
  res.write(chunk({}, null, { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 }));
  res.end("data: [DONE]\n\n");
}

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const release of holds.splice(0)) release();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("web chat sessions", () => {
  // The host reads the key from its own environment (the hub's, for the local host).
  const web = webSuite({ env: { TEST_CHAT_KEY: "sk-test-web" } });

  it("streams a reply as Markdown with a code block, cancels, and survives a reload", async () => {
    const { page, problems } = await web.page({ login: true });
    // Created from the dialog: kind, provider, model, base URL and the key's variable name.
    await page.getByRole("button", { name: "+ New" }).click();
    const dialog = page.getByRole("dialog", { name: "New session" });
    await dialog.getByLabel("Name", { exact: true }).fill("talk");
    await dialog.getByLabel("Kind").selectOption("chat");
    await dialog.getByLabel("Provider").selectOption("openai");
    await dialog.getByLabel("Model").fill("fake-gpt");
    await dialog.getByLabel("Base URL").fill(`${base}/v1`);
    await dialog.getByLabel("API key variable").fill("TEST_CHAT_KEY");
    await dialog.getByRole("button", { name: "Create" }).click();
    await page.getByRole("heading", { name: "talk", level: 1 }).waitFor();
    const info = (await (await web.hub.api("/api/sessions/talk")).json()) as {
      session: { kind: string; options: Record<string, unknown> };
    };
    expect(info.session.kind).toBe("chat");
    expect(info.session.options).toMatchObject({ model: "fake-gpt", apiKeyEnv: "TEST_CHAT_KEY" });
    const chat = page.getByRole("region", { name: "Chat talk" });
    const input = chat.getByRole("textbox", { name: "Message" });
    await input.waitFor();
    // No terminal for a chat.
    expect(await page.locator("[data-terminal] .xterm").count()).toBe(0);

    await input.fill("show me <b>code</b> & more");
    await input.press("Enter");
    const user = chat.locator('article[data-role="user"]');
    await expect.poll(() => user.last().locator(".bubble").textContent()).toBe("show me <b>code</b> & more");
    expect(await chat.locator(".log b").count()).toBe(0);

    // The first half is on screen while the reply is still open: streamed, not waited for.
    const reply = chat.locator('article[data-role="assistant"]').nth(0);
    await expect
      .poll(() => reply.locator(".bubble").textContent(), { timeout: 20_000 })
      .toContain("Here is the code:");
    expect(await reply.locator("strong").textContent()).toBe("the");
    expect(await reply.getAttribute("class")).toContain("streaming");
    await chat.getByRole("button", { name: "Cancel" }).waitFor();

    holds.shift()?.();
    await expect
      .poll(() => reply.locator("pre code").textContent(), { timeout: 20_000 })
      .toBe("console.log(1 < 2);");
    await expect.poll(() => reply.locator(".who").textContent()).toContain("3 in, 4 out");
    expect(await reply.locator(".md").textContent()).toContain("Done.");
    expect(await reply.getAttribute("class")).not.toContain("streaming");
    await chat.getByRole("button", { name: "Send" }).waitFor();

    // Cancel: a reply that never finishes stops at once, keeping what had arrived.
    await input.fill("this one never ends");
    await input.press("Enter");
    await expect.poll(() => reply.locator(".bubble").textContent()).toContain("Done.");
    const second = chat.locator('article[data-role="assistant"]').nth(1);
    await expect
      .poll(() => second.locator(".bubble").textContent(), { timeout: 20_000 })
      .toContain("Here is the code:");
    await chat.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => second.locator(".who").textContent(), { timeout: 20_000 }).toContain("cancelled");
    await chat.getByRole("button", { name: "Send" }).waitFor();

    // A reload rebuilds the conversation from the stored events.
    await page.reload();
    const again = page.getByRole("region", { name: "Chat talk" });
    await expect.poll(() => again.locator("article").count(), { timeout: 20_000 }).toBe(4);
    expect(await again.locator('article[data-role="user"] .bubble').allTextContents()).toEqual([
      "show me <b>code</b> & more",
      "this one never ends",
    ]);
    expect(await again.locator("pre code").first().textContent()).toBe("console.log(1 < 2);");
    expect(problems).toEqual([]);
  });

  it("says a message whose reply failed was not answered, and sends it again with one click or Up", async () => {
    const { page, problems } = await web.page({ login: true });
    const created = await web.hub.api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({
        kind: "chat",
        name: "flaky",
        options: {
          provider: "openai",
          profile: "test",
          model: "fake-gpt",
          baseUrl: `${base}/v1`,
          apiKeyEnv: "TEST_CHAT_KEY",
          maxRetries: 0,
        },
      }),
    });
    expect(created.status).toBe(201);
    // Followed in the same tab (only the fragment changes).
    await page.evaluate(() => {
      location.hash = "#session=flaky";
    });
    const chat = page.getByRole("region", { name: "Chat flaky" });
    const input = chat.getByRole("textbox", { name: "Message" });
    await input.fill("please fail");
    await input.press("Enter");
    await expect
      .poll(() => chat.locator('article[data-role="error"]').textContent(), { timeout: 20_000 })
      .toContain(
        "Error: the provider had an error on its side (HTTP 500: The server had an error): send the message again in a moment",
      );
    await expect
      .poll(() => chat.locator('article[data-role="error"] .note').textContent())
      .toContain("Your message was not answered and is not part of the conversation.");
    // Up in the empty box brings it back.
    await input.press("ArrowUp");
    expect(await input.inputValue()).toBe("please fail");
    await input.fill("");

    failing = false;
    await chat.getByRole("button", { name: "Send again" }).click();
    const reply = chat.locator('article[data-role="assistant"]').last();
    await expect
      .poll(() => reply.locator(".bubble").textContent(), { timeout: 20_000 })
      .toContain("Here is the code:");
    // The newest hold: the first test's cancelled one is left in the list.
    holds.pop()?.();
    await expect.poll(() => reply.locator(".md").textContent(), { timeout: 20_000 }).toContain("Done.");
    // Sent again once, without the failed turn.
    expect(asked.at(-1)).toEqual(["please fail"]);
    expect(await chat.getByRole("button", { name: "Send again" }).count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
