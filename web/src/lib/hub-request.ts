/**
 * One REST call to the hub with the login cookie, JSON in and out: what the page's dialogs
 * (hosts, share links) send. Rejects with the hub's own message, which says what to do.
 */
export async function hubRequest(path: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(path, {
    ...init,
    credentials: "same-origin",
    headers: init.body === undefined ? {} : { "content-type": "application/json" },
  });
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  if (!response.ok) {
    const message = (body as { error?: { message?: string } } | undefined)?.error?.message;
    throw new Error(message ?? `the hub answered HTTP ${response.status}; try again`);
  }
  return body;
}
