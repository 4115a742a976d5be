/**
 * The current image (`dispatch use IMAGE`): a workspace session that `eval`, `inspect` and
 * `transcript` use when no name is given, as new sessions go to the current host. Stored
 * beside the host and project context (`hostContext.ts`), by name.
 */
import { DispatchError } from "../core/errors.js";
import { isLiveStatus } from "../core/liveness.js";
import { didYouMean, unknownNameMessage } from "../core/names.js";
import { reviveAdvice } from "../kinds/reviveAdvice.js";
import { WORKSPACE, workspaceKind } from "../kinds/workspace/index.js";
import type { SessionInfo } from "../protocol/session.js";
import { UsageError } from "./exitCodes.js";
import type { HubClient } from "./HubClient.js";
import { readImageContext, writeImageContext } from "./hostContext.js";

/** The workspace sessions the hub knows (the images one can switch to). */
export async function listImages(client: HubClient): Promise<SessionInfo[]> {
  return (await client.listSessions()).filter((session) => session.kind === WORKSPACE);
}

/** An unknown image: a did-you-mean over the workspaces, and how to start one. */
export function unknownImage(name: string, images: readonly SessionInfo[]): DispatchError {
  const names = images.map((session) => session.name);
  const known =
    names.length > 0 ? ` (images: ${names.join(", ")})` : "; start one with `dispatch new --kernel python3`";
  return new DispatchError("not_found", `${unknownNameMessage("image", name, names)}${known}`);
}

/** `dispatch use IMAGE` (or `--image IMAGE`; `-` clears it). Prints what it did. */
export async function useImage(client: HubClient, name: string): Promise<void> {
  if (name === "-") {
    writeImageContext(client.paths, undefined);
    console.log("no current image");
    return;
  }
  const images = await listImages(client);
  const image = images.find((session) => session.name === name || session.id === name);
  if (!image) throw unknownImage(name, images);
  writeImageContext(client.paths, image.name);
  console.log(`now using image ${image.name}${useNote(image)}`);
}

/** Said after switching: how a workspace not running now is started again (nothing while it starts). */
function useNote(image: SessionInfo): string {
  if (image.status === "running") return "";
  if (isLiveStatus(image.status)) return ` (${image.status} right now)`;
  return ` (${image.status} right now); ${reviveAdvice(image.name, workspaceKind.revivedAs)}`;
}

/** The current image's name, if one was chosen. */
export function currentImage(client: HubClient): string | undefined {
  return readImageContext(client.paths);
}

/**
 * The workspace a verb works on: the name given, else the current image. With one positional
 * argument and a current image, `dispatch eval X` reads X as code unless a workspace is called X.
 */
export async function imageArguments(
  client: HubClient,
  args: { first: string | undefined; second: string | undefined; verb: string },
): Promise<{ image: string; rest: string | undefined }> {
  const { first, second, verb } = args;
  if (first !== undefined && second !== undefined) return { image: first, rest: second };
  const current = currentImage(client);
  if (current === undefined) {
    if (first === undefined)
      throw new UsageError(
        `${verb}: name a workspace, or choose the current image with \`dispatch use IMAGE\``,
      );
    const images = await listImages(client);
    // Not a workspace: most likely code (`dispatch eval '1+1'`) meant for a current image.
    if (!images.some((session) => session.name === first || session.id === first))
      throw noCurrentImage(verb, first, images);
    return { image: first, rest: undefined };
  }
  const images = await listImages(client);
  if (first !== undefined && images.some((session) => session.name === first))
    return { image: first, rest: undefined };
  if (!images.some((session) => session.name === current)) {
    const gone = unknownImage(current, images);
    throw new DispatchError(
      "not_found",
      `the current image is gone: ${gone.message}; choose another with \`dispatch use IMAGE\``,
    );
  }
  return { image: current, rest: first };
}

/** What follows the image in each verb's two-argument form. */
const REST_ARGUMENT: Record<string, string> = { eval: "CODE", inspect: "EXPR", input: "TEXT" };

/** One argument that names no workspace, and no current image to run it in. */
function noCurrentImage(verb: string, first: string, images: readonly SessionInfo[]): UsageError {
  const names = images.map((session) => session.name);
  const guess = didYouMean(first, names);
  const typo = guess ? ` (did you mean '${guess}'?)` : "";
  const rest = REST_ARGUMENT[verb] ?? "ARG";
  return new UsageError(
    `${verb}: there is no current image, and no workspace is called '${first}'${typo}; choose one with \`dispatch use IMAGE\`, or name it: \`dispatch ${verb} IMAGE ${rest}\``,
  );
}
