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
import { afterAll, afterEach, beforeAll, inject } from "vitest";
import { BIN, cleanEnv, cleanupAll, type HubHandle, REPO_ROOT, startHub } from "../harness.js";
import { BROWSER_ARGS, CHROMIUM } from "./browserServer.js";

/**
 * The run's shared browser when vitest's global setup offers one (`browserServer.ts`), else one
 * of this process's own. Closing a shared one closes this file's contexts and leaves it running.
 */
export async function launchBrowser(): Promise<Browser> {
  const broker = inject("browserBroker");
  if (!broker) return chromium.launch({ executablePath: CHROMIUM, args: BROWSER_ARGS });
  const response = await fetch(broker);
  const answer = await response.text();
  if (!response.ok) throw new Error(`the run's shared browser did not start: ${answer}`);
  return chromium.connect(answer);
}

export interface TestPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and warnings, and uncaught page errors, seen so far. */
  problems: string[];
}

/** The desktop size pages open at unless a test asks for another. */
const DESKTOP = { width: 1200, height: 760 };
/** What every test context may do unasked: read and write the clipboard. */
const PERMISSIONS = ["clipboard-read", "clipboard-write"];

/** A desktop-sized context with clipboard access. */
export function newContext(
  browser: Browser,
  viewport: { width: number; height: number } = DESKTOP,
): Promise<BrowserContext> {
  return browser.newContext({ viewport, permissions: PERMISSIONS });
}

export async function openPage(
  browser: Browser,
  url: string,
  options: { viewport?: { width: number; height: number }; context?: BrowserContext } = {},
): Promise<TestPage> {
  const context = options.context ?? (await newContext(browser, options.viewport));
  const page = await context.newPage();
  const problems = collectProblems(page);
  await page.goto(url);
  return { context, page, problems };
}

/** Console errors and warnings, and uncaught page errors, from now on. */
function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() !== "error" && msg.type() !== "warning") return;
    // A failed resource's message does not name it: its address is the message's location.
    const { url } = msg.location();
    problems.push(
      `${msg.type()}: ${msg.text()}${url && msg.text().startsWith("Failed to load") ? ` (${url})` : ""}`,
    );
  });
  page.on("pageerror", (err) => problems.push(`pageerror: ${err.message}`));
  return problems;
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
  /**
   * In a suite that reuses tabs, a context of the test's own all the same: for a test that
   * leaves what a reset cannot take back (`page.clock`, init scripts, WebSocket routes).
   */
  fresh?: boolean;
  /** Where the page opens (default the hub's address; `#signed-in` there when `signedIn`). */
  url?: string;
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
 *
 * With `reuseTabs`, a test's pages are tabs the file's tests take turns on instead of a new
 * browser context each: a new context starts a renderer process and compiles the UI's script
 * again, most of a page's cost on a busy machine (7-10 s against 1-3 s for a fresh load in a
 * warm tab, at a load of 25 on 2 cores). After each test its tabs are reset to what a new context
 * has: the app unloaded (its connections closed), every other page of the context closed, local
 * and session storage, IndexedDB and cookies cleared, permissions, network and routes as a new
 * context has them. What no reset takes back (a `page.clock`, init scripts, WebSocket routes)
 * needs `fresh: true`; a tab that fails its reset is closed and replaced.
 */
export function webSuite(options: { env?: Record<string, string>; reuseTabs?: boolean } = {}): WebSuite {
  let hub: HubHandle | undefined;
  let browser: Browser | undefined;
  const open: BrowserContext[] = [];
  const tabs: Tab[] = [];
  beforeAll(async () => {
    // Independent: the browser starts while the hub does.
    const [started, launched] = await Promise.allSettled([startHub(options), launchBrowser()]);
    if (started.status === "fulfilled") hub = started.value;
    if (launched.status === "fulfilled") browser = launched.value;
    if (started.status === "rejected") throw started.reason;
    if (launched.status === "rejected") throw launched.reason;
  });
  afterEach(async () => {
    await Promise.all([
      ...open.splice(0).map((context) => context.close().catch(() => {})),
      ...tabs
        .filter((tab) => tab.busy)
        .map(async (tab) => {
          if (hub && (await resetTab(tab, hub))) return;
          tabs.splice(tabs.indexOf(tab), 1);
          await tab.context.close().catch(() => {});
        }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([browser?.close(), cleanupAll()]);
  });
  const required = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`webSuite: the ${what} is not started (used outside a test?)`);
    return value;
  };
  /** A tab no test holds, at `viewport`; a new one when all are taken. */
  const takeTab = async (b: Browser, viewport = DESKTOP): Promise<Tab> => {
    const idle = tabs.find((tab) => !tab.busy);
    if (idle) {
      idle.busy = true;
      const size = idle.page.viewportSize();
      if (size?.width !== viewport.width || size.height !== viewport.height) {
        await idle.page.setViewportSize(viewport);
      }
      return idle;
    }
    const context = await newContext(b, viewport);
    const tab: Tab = { context, page: await context.newPage(), busy: true };
    tabs.push(tab);
    return tab;
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
      const url = pageOptions.url ?? (pageOptions.signedIn ? `${h.url}/#signed-in` : h.url);
      let tp: TestPage;
      if (options.reuseTabs && !pageOptions.fresh && !pageOptions.context && !pageOptions.contextOptions) {
        const tab = await takeTab(b, pageOptions.viewport);
        if (pageOptions.signedIn) await signIn(tab.context, h);
        const problems = collectProblems(tab.page);
        await tab.page.goto(url);
        tp = { context: tab.context, page: tab.page, problems };
      } else {
        // Registered before anything can fail, so the context is closed whatever happens next.
        const context =
          pageOptions.context ??
          (pageOptions.contextOptions
            ? await b.newContext(pageOptions.contextOptions)
            : await newContext(b, pageOptions.viewport));
        open.push(context);
        if (pageOptions.signedIn) await signIn(context, h);
        // `#signed-in`, as single sign-on returns: the page asks the hub, which knows the cookie.
        tp = await openPage(b, url, { context });
      }
      if (pageOptions.login) await login(tp.page, h.key);
      if (pageOptions.signedIn) await tp.page.getByRole("navigation", { name: "Sessions" }).waitFor();
      return tp;
    },
  };
}

/** A browser tab a suite's tests take turns on; `busy` while a test holds it. */
interface Tab {
  context: BrowserContext;
  page: Page;
  busy: boolean;
}

/** How long a tab's reset may take before the tab is replaced instead. */
const RESET_MS = 15_000;

/**
 * Resets a tab after its test (see `webSuite`); false when it could not be, and must go. The
 * page stays on the hub's origin (a JSON answer, no app) so its renderer, with the UI's script
 * compiled, serves the next test.
 */
async function resetTab(tab: Tab, hub: HubHandle): Promise<boolean> {
  const { context, page } = tab;
  try {
    await page.removeAllListeners(undefined, { behavior: "ignoreErrors" });
    await Promise.all(context.pages().map((other) => (other === page ? undefined : other.close())));
    if (page.isClosed()) return false;
    await context.unrouteAll({ behavior: "ignoreErrors" });
    await context.setOffline(false);
    await page.goto(`${hub.url}/api/health`, { timeout: RESET_MS });
    await page.evaluate(async () => {
      localStorage.clear();
      sessionStorage.clear();
      const databases = await indexedDB.databases();
      for (const { name } of databases) if (name) indexedDB.deleteDatabase(name);
    });
    await context.clearCookies();
    await context.clearPermissions();
    await context.grantPermissions(PERMISSIONS);
    tab.busy = false;
    return true;
  } catch {
    return false;
  }
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
  // The token through the API, not `dispatch hosts token create` (a Node boot; hosts.test.ts
  // covers the command).
  const created = await hub.api(`/api/hosts/${encodeURIComponent(name)}/token`, {
    method: "POST",
    body: "{}",
  });
  if (!created.ok)
    throw new Error(`POST /api/hosts/${name}/token: ${created.status} ${await created.text()}`);
  const { token } = (await created.json()) as { token: string };
  const home = mkdtempSync(join(tmpdir(), `dispatch-web-remote-${name}-`));
  const child = spawn(process.execPath, [BIN, "host", "--hub", hub.url, "--token", token, "--name", name], {
    env: cleanEnv({ DISPATCH_HOME: home, HOME: home }),
    cwd: REPO_ROOT,
    stdio: "ignore",
  });
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
 * Enters a line into the focused terminal in one piece, as a phone keyboard, dictation or an IME
 * hands text over (one input event, xterm's `onData` once), then presses Enter. For the commands
 * a test runs to set its scene: a key event per character is two round trips to the page, a
 * second or more per line on a busy machine. Tests of typing itself use `typeLine`.
 */
export async function enterLine(page: Page, text: string): Promise<void> {
  await page.keyboard.insertText(text);
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
