/** A stable opaque id (sessions, hosts, tokens): 16 lowercase hex characters. */
export function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
