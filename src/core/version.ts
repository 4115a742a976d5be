/** The dispatch release, reported in hello messages, `/api/health` and host records. */
export const VERSION = "0.1.0";

/**
 * Version of the client protocol (hub <-> browser/CLI). Bump on any incompatible change to
 * the messages in `protocol/client.ts` or the binary frame layout in `protocol/frames.ts`.
 */
export const CLIENT_PROTOCOL_VERSION = 1;

/**
 * Version of the host protocol (hub <-> host daemon), see `protocol/host.ts`. 2 added the
 * `kind-command` and `orphans` requests; the hub refuses them to an older host with a message
 * that names the upgrade, instead of waiting for a reply that never comes. 3 added each
 * session's name, command, cwd, creation time and project to the hello (kept from the spawn
 * and `rename`, a message the hub sends only to hosts of 3 or later), so a hub without the
 * session's record adopts it under the name it had; an older host's sessions get made-up names.
 * 4 added each session's kind options to the spawn and the hello (`kindOptions`), so an
 * adopted session keeps them; an older host's adopted sessions have none.
 */
export const HOST_PROTOCOL_VERSION = 4;
