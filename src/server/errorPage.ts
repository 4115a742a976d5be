/**
 * The few addresses a person opens in a browser rather than a script calls (a share link, the
 * way back from single sign-on) answer a refusal with a small page that says it in words and
 * leads to the front page, not with the JSON every API route answers.
 */
import type { FastifyRequest } from "fastify";
import { SHARE_PATH } from "../protocol/shareLinks.js";
import { CALLBACK_PATH } from "./oidc.js";

/** Whether this request is a browser opening one of those addresses. */
export function opensInBrowser(request: FastifyRequest): boolean {
  const path = request.url.split("?")[0] as string;
  if (!path.startsWith(SHARE_PATH) && path !== CALLBACK_PATH) return false;
  return asksForPage(request);
}

/** A browser navigating asks for HTML; a script (curl, fetch) does not. */
export function asksForPage(request: FastifyRequest): boolean {
  return String(request.headers.accept ?? "").includes("text/html");
}

/** Where the page leads: the front page, unless the page says to try the same address again. */
export interface PageLink {
  href: string;
  text: string;
}

const FRONT_PAGE: PageLink = { href: "/", text: "Go to the sign-in page" };

export function errorPage(message: string, link: PageLink = FRONT_PAGE): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>dispatch</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em">
<h1 style="font-size:1.3em">dispatch</h1>
<p>${escapeHtml(message)}</p>
<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
