/**
 * Debian's chromium through playwright-core, plus the page helpers the web tests share:
 * console problem collection, login, and reading a terminal's text through `window.__dispatch`.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from "playwright-core";
import { afterAll, afterEach, beforeAll } from "vitest";
import { BIN, cleanEnv, cleanupAll, type HubHandle, REPO_ROOT, startHub } from "../harness.js";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface TestPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and warnings, and uncaught page errors, seen so far. */
  problems: string[];
}

/** A desktop-sized context with clipboard access. */
export function newContext(
  browser: Browser,
  viewport: { width: number; height: number } = { width: 1200, height: 760 },
): Promise<BrowserContext> {
  return browser.newContext({ viewport, permissions: ["clipboard-read", "clipboard-write"] });
}

export async function openPage(
  browser: Browser,
  url: string,
  options: { viewport?: { width: number; height: number }; context?: BrowserContext } = {},
): Promise<TestPage> {
  const context = options.context ?? (await newContext(browser, options.viewport));
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning") problems.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  await page.goto(url);
  return { context, page, problems };
}

export interface PageOptions {
  viewport?: { width: number; height: number };
  /** A context of the test's own; closed with the page. */
  context?: BrowserContext;
  /** Options for a new context (phone emulation, permissions) instead of the desktop default. */
  contextOptions?: BrowserContextOptions;
  /** Sign in before handing the page over (default false). */
  login?: boolean;
  /**
   * Signed in before the page loads, by the cookie `POST /api/login` sets (`signIn`), so the
   * page opens on the sessions view: for tests that are not about the sign-in form, which
   * otherwise loads the app twice over (default false).
   */
  signedIn?: boolean;
}

export interface WebSuite {
  /** The file's hub (started in beforeAll). */
  readonly hub: HubHandle;
  readonly browser: Browser;
  /**
   * A fresh page on the hub with console problems collected; its context is closed after the
   * test (also when it fails), so tests need no try/finally of their own.
   */
  page(options?: PageOptions): Promise<TestPage>;
}

/**
 * The setup every browser test file shares: one hub and one browser for the file (started in
 * beforeAll, stopped in afterAll even when a test fails) and pages closed after each test.
 */
export function webSuite(options: { env?: Record<string, string> } = {}): WebSuite {
  let hub: HubHandle | undefined;
  let browser: Browser | undefined;
  const open: BrowserContext[] = [];
  beforeAll(async () => {
    hub = await startHub(options);
    browser = await launchBrowser();
  });
  afterEach(async () => {
    for (const context of open.splice(0)) await context.close().catch(() => {});
  });
  afterAll(async () => {
    await browser?.close();
    await cleanupAll();
  });
  const required = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`webSuite: the ${what} is not started (used outside a test?)`);
    return value;
  };
  return {
    get hub() {
      return required(hub, "hub");
    },
    get browser() {
      return required(browser, "browser");
    },
    async page(pageOptions = {}) {
      const h = required(hub, "hub");
      const b = required(browser, "browser");
      // Registered before anything can fail, so the context is closed whatever happens next.
      const context =
        pageOptions.context ??
        (pageOptions.contextOptions
          ? await b.newContext(pageOptions.contextOptions)
          : await newContext(b, pageOptions.viewport));
      open.push(context);
      if (pageOptions.signedIn) await signIn(context, h);
      // `#signed-in`, as single sign-on returns: the page asks the hub, which knows the cookie.
      const tp = await openPage(b, pageOptions.signedIn ? `${h.url}/#signed-in` : h.url, { context });
      if (pageOptions.login) await login(tp.page, h.key);
      if (pageOptions.signedIn) await tp.page.getByRole("navigation", { name: "Sessions" }).waitFor();
      return tp;
    },
  };
}

export interface RemoteHost {
  child: ChildProcess;
  /** SIGKILLs the host daemon (its sessions' processes go with their PTYs). */
  kill(): void;
  /** Kills it and removes its home. */
  dispose(): void;
}

const remotes = new Set<RemoteHost>();
process.on("exit", () => {
  for (const remote of remotes) remote.dispose();
});

/**
 * `dispatch host --hub URL --token T --name NAME` with a home of its own, as on another
 * machine. Call `dispose()` in afterAll; a process exit hook kills what is left.
 */
export async function startRemoteHost(hub: HubHandle, name: string): Promise<RemoteHost> {
  const created = await hub.cli(["hosts", "token", "create", name]);
  if (created.code !== 0) throw new Error(`hosts token create ${name}: ${created.stderr}`);
  const home = mkdtempSync(join(tmpdir(), `dispatch-web-remote-${name}-`));
  const child = spawn(
    process.execPath,
    [BIN, "host", "--hub", hub.url, "--token", created.stdout.trim(), "--name", name],
    { env: cleanEnv({ DISPATCH_HOME: home, HOME: home }), cwd: REPO_ROOT, stdio: "ignore" },
  );
  const remote: RemoteHost = {
    child,
    kill() {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      try {
        process.kill(child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    },
    dispose() {
      remote.kill();
      rmSync(home, { recursive: true, force: true });
      remotes.delete(remote);
    },
  };
  remotes.add(remote);
  return remote;
}

/** Signs `context` in to `hub` as the form does (the same request and cookie), without a page. */
export async function signIn(context: BrowserContext, hub: HubHandle): Promise<void> {
  const response = await context.request.post(`${hub.url}/api/login`, { data: { key: hub.key } });
  if (!response.ok()) throw new Error(`sign-in: HTTP ${response.status()} ${await response.text()}`);
}

export async function login(page: Page, key: string): Promise<void> {
  await page.getByLabel("Access key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Sessions" }).waitFor();
}

/** Lines of a session's terminal buffer (scrollback included). */
export async function terminalLines(page: Page, session: string): Promise<string[]> {
  return page.evaluate((name) => window.__dispatch?.lines(name) ?? [], session);
}

/** Waits until the session's terminal holds a line matching `pattern`. */
export async function waitForLine(page: Page, session: string, pattern: RegExp): Promise<void> {
  await page.waitForFunction(
    ([name, source, flags]) => {
      const re = new RegExp(source as string, flags as string);
      return (window.__dispatch?.lines(name as string) ?? []).some((line) => re.test(line));
    },
    [session, pattern.source, pattern.flags],
    { timeout: 20_000, polling: 50 },
  );
}

/** Types into the focused terminal as a person would (keystrokes, then Enter). */
export async function typeLine(page: Page, text: string): Promise<void> {
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

/**
 * The shell test sessions run: bash without the machine's rc files, which are not under test
 * and can stall a shell's start (a stale `pyenv rehash` lock makes every `.bashrc` wait 60 s).
 */
export const TEST_SHELL = "bash --noprofile --norc";

/** Creates a session through the dialog and waits until it is the active one. */
export async function createSession(page: Page, name: string, command = TEST_SHELL): Promise<void> {
  await page.getByRole("button", { name: "+ New" }).click();
  const dialog = page.getByRole("dialog", { name: "New session" });
  await dialog.getByLabel("Name", { exact: true }).fill(name);
  if (command) await dialog.getByLabel("Command").fill(command);
  await dialog.getByRole("button", { name: "Create" }).click();
  await page.getByRole("heading", { name, level: 1 }).waitFor();
  await page.locator(`[data-session="${name}"] button[aria-current="true"]`).waitFor();
}

declare global {
  interface Window {
    __dispatch?: {
      lines(session: string): string[] | null;
      cells(session: string, line: number): string[] | null;
      renderer(session: string): string | null;
      selection(session: string): string | null;
      scroll(session: string): { top: number; hasOlder: boolean } | null;
      lastSeq(session: string): number | null;
      connection(): string;
    };
    __dispatchPerf?: {
      lastSwitchMs: number | null;
      switches: { session: string; ms: number; cold: boolean }[];
      last?: { cold: boolean };
    };
  }
}
