/**
 * One chromium for the whole run, shared by the browser test files (vitest's `globalSetup`):
 * launching a browser and closing it again cost ~3-4 s of CPU per file on the 2-core machine,
 * more than most of those files' tests. Each file connects to it and makes its own contexts,
 * which are as isolated from another file's as from another browser's (storage, cookies, cache),
 * and closes them as it ends.
 *
 * Launched on first use only (a run with no browser test starts no browser): the setup serves
 * one HTTP route on loopback that launches the browser if none runs, and answers with its
 * WebSocket endpoint. A browser that died is launched again on the next ask.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type BrowserServer, chromium } from "playwright-core";
import type { TestProject } from "vitest/node";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** How every test browser runs: headless, no GPU, and nothing that goes out to the network. */
export const BROWSER_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

declare module "vitest" {
  interface ProvidedContext {
    /** `GET` it for the shared browser's WebSocket endpoint (launched then if need be). */
    browserBroker: string;
  }
}

let server: Server | undefined;
let browser: Promise<BrowserServer> | undefined;

/** The running browser, or a new one when none runs yet or the last one died. */
async function running(): Promise<BrowserServer> {
  const current = await browser?.catch(() => undefined);
  const child = current?.process();
  if (current && child && child.exitCode === null && child.signalCode === null) return current;
  browser = chromium.launchServer({ executablePath: CHROMIUM, args: BROWSER_ARGS, host: "127.0.0.1" });
  return browser;
}

export async function setup(project: TestProject): Promise<void> {
  server = createServer((_request, response) => {
    running().then(
      (launched) => response.end(launched.wsEndpoint()),
      (err: unknown) => {
        response.statusCode = 500;
        response.end(err instanceof Error ? err.message : String(err));
      },
    );
  });
  const listening = server;
  await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
  const { port } = listening.address() as AddressInfo;
  project.provide("browserBroker", `http://127.0.0.1:${port}/`);
}

export async function teardown(): Promise<void> {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await (await browser?.catch(() => undefined))?.close();
}
