/** Login, logout and "am I logged in?" against the hub's REST API (cookie-based). */

export type LoginResult = { ok: true } | { ok: false; message: string };

async function errorMessage(response: Response, fallback: string): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { message?: string } };
    return body.error?.message ?? fallback;
  } catch {
    // Not JSON (a proxy's error page, say): the status line is all we can show.
    return fallback;
  }
}

/** "N failed attempts from ADDRESS, so attempts are slowed" out of the hub's message. */
function slowedPart(message: string): string {
  const part = /\d+ failed attempts[^;]*slowed/.exec(message)?.[0] ?? "attempts are slowed";
  return `${part.charAt(0).toUpperCase()}${part.slice(1)}.`;
}

export async function login(key: string): Promise<LoginResult> {
  let response: Response;
  try {
    response = await fetch("/api/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key }),
      credentials: "same-origin",
    });
  } catch {
    return { ok: false, message: "Cannot reach the hub. Is it running?" };
  }
  if (response.ok) return { ok: true };
  if (response.status === 401) {
    // The hub's message says more than "wrong" once attempts from here are being slowed.
    const message = await errorMessage(response, "Wrong access key.");
    return {
      ok: false,
      message: /slowed/.test(message) ? `Wrong access key. ${slowedPart(message)}` : "Wrong access key.",
    };
  }
  if (response.status === 429) {
    return {
      ok: false,
      message: await errorMessage(response, "Too many failed attempts. Wait a minute and try again."),
    };
  }
  return { ok: false, message: await errorMessage(response, `Login failed (HTTP ${response.status}).`) };
}

export async function logout(): Promise<void> {
  await fetch("/api/logout", { method: "POST", credentials: "same-origin" });
}

/**
 * `true` logged in, `false` not, `null` hub unreachable. A browser without the sign-in cookie
 * is told so by a public route, so no /api/me is sent to be refused: a browser logs every 401
 * in its console as an error, and this is the page working as intended.
 */
export async function checkSession(): Promise<boolean | null> {
  try {
    const methods = await fetch("/api/auth/methods", { credentials: "same-origin" });
    // An older hub does not say (`cookie` absent): ask /api/me as before.
    if (methods.ok && ((await methods.json()) as { cookie?: boolean }).cookie === false) return false;
    const response = await fetch("/api/me", { credentials: "same-origin" });
    if (response.ok) return true;
    if (response.status === 401) return false;
    return null;
  } catch {
    return null;
  }
}
