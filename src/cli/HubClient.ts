/**
 * The CLI's way to the hub: finds it (`hub.json` in `DISPATCH_HOME`, else
 * `127.0.0.1:$DISPATCH_PORT`, else the port the hub last started on, else port 7777;
 * `hubAddress.ts`) and the access key (`DISPATCH_KEY`, else the key file), and offers the REST
 * calls as typed methods. Responses are parsed with the protocol's schemas; each call goes
 * through `hubRequest.ts`, where error bodies `{error: {code, message}}` become
 * `DispatchError`s.
 *
 * Neither the key file's key nor `DISPATCH_KEY` leaves this process: whatever answers at a
 * stale `hub.json`'s address or on the fallback port may be anyone's. Each request carries a
 * proof of the key instead (`platform/keyProof.ts`; of `DISPATCH_KEY`, which may be a personal
 * token or a share link, one keyed on its hash as the hub stores it), and an answer counts only
 * with the hub's proof back.
 */
import { z } from "zod";
import { DispatchError } from "../core/errors.js";
import { dataHome, type HomePaths, homePaths } from "../platform/home.js";
import { tokenProofKey } from "../platform/keyProof.js";
import { SessionList, StatusBody } from "../protocol/api.js";
import { ApiEvent } from "../protocol/events.js";
import type { InputId } from "../protocol/inputId.js";
import { isIssuedToken } from "../protocol/people.js";
import { type CreateSessionRequest, SessionInfo } from "../protocol/session.js";
import type { KillSignal } from "../protocol/signals.js";
import { ClientSocket, UnprovenHubError } from "./ClientSocket.js";
import { HUB_NOT_RUNNING } from "./exitCodes.js";
import { DEFAULT_PORT, hubAnswers, readKey, resolvePort } from "./hubAddress.js";
import { readHubInfo } from "./hubFiles.js";
import { type HubAccess, hubRequest, isRefused } from "./hubRequest.js";
import { notRunningHere } from "./notRunningHere.js";

/**
 * Long enough for `kill`, which waits for the process to end (a few seconds at most). A session
 * command has no deadline here: the hub bounds it (a quick verb by its host's deadline, a
 * long-running one, an evaluation, by the session and its host's link).
 */
const REQUEST_TIMEOUT_MS = 30_000;

const SessionBody = z.object({ session: SessionInfo });
const SessionsBody = z.object({ sessions: z.array(SessionInfo) });
const EventsBody = z.object({
  events: z.array(ApiEvent),
  lastSeq: z.number().int(),
  /** Oldest stored seq; history before it was compacted behind a snapshot. */
  firstSeq: z.number().int().default(0),
});
const HistoryBody = z.object({ events: z.array(ApiEvent), firstSeq: z.number().int() });
const GcBody = z.object({ removed: z.array(z.string()) });
const OkBody = z.object({ ok: z.literal(true) });
/** A session command's answer; a command with nothing to say may leave `result` out. */
const CommandBody = z.object({ result: z.unknown().optional() });
export type StoredEvent = z.infer<typeof ApiEvent>;

export type { KillSignal };

export interface HubClientOptions {
  url: string;
  key: string | undefined;
  paths: HomePaths;
  /**
   * The URL is the default port's, not this data directory's `hub.json`, and the key is not
   * `DISPATCH_KEY`: a hub answering there may be another data directory's, which refuses this
   * one's key. That refusal means "not running here", not "wrong key".
   */
  guessed?: boolean | undefined;
  /**
   * Prove the key rather than send it, and trust only answers proven by the hub, found as it is
   * at an address that may be stale or anyone's: `key` for this data directory's access key
   * (the key file), `env` for `DISPATCH_KEY`: an access key is proven with itself, a personal
   * token or share link by the hash the hub keeps of it. Without it the key goes as a bearer.
   */
  prove?: "key" | "env" | undefined;
}

export class HubClient {
  readonly url: string;
  readonly paths: HomePaths;
  private readonly access: HubAccess;

  constructor(options: HubClientOptions) {
    const { key, prove } = options;
    this.url = options.url.replace(/\/+$/, "");
    this.paths = options.paths;
    this.access = {
      url: this.url,
      paths: this.paths,
      key,
      signer: key && prove ? (isIssuedToken(key) ? tokenProofKey(key) : { key }) : undefined,
      guessed: options.guessed === true,
      fromEnv: prove === "env",
    };
  }

  /** Finds the hub of `DISPATCH_HOME` and the key the way every CLI command does. */
  static locate(env: NodeJS.ProcessEnv = process.env): HubClient {
    const paths = homePaths(dataHome(env));
    const info = readHubInfo(paths);
    const url = info?.url ?? `http://127.0.0.1:${resolvePort(undefined, env) || DEFAULT_PORT}`;
    const guessed = info === undefined && !env.DISPATCH_KEY;
    const prove = env.DISPATCH_KEY ? "env" : "key";
    return new HubClient({ url, key: readKey(paths, env), paths, guessed, prove });
  }

  /** Whether any hub answers `/api/health` at this URL, this data directory's or not. Never throws. */
  answers(): Promise<boolean> {
    return hubAnswers(this.url);
  }

  /**
   * Whether this data directory's hub answers at this URL. Never throws. With the address
   * guessed (no `hub.json`), a hub that refuses the key is another directory's: not ours.
   */
  async health(): Promise<boolean> {
    if (!(await this.answers())) return false;
    if (!this.access.guessed) return true;
    try {
      await this.call("GET", "/api/status");
      return true;
    } catch (err) {
      // Refused (another directory's hub, see hubRequest) or gone meanwhile: not running here.
      // Any other failure is the hub's own: it runs, and the command reports what went wrong.
      return !(err instanceof DispatchError && err.code === "host_unavailable");
    }
  }

  async status(): Promise<StatusBody> {
    return StatusBody.parse(await this.call("GET", "/api/status"));
  }

  /** Every session. */
  async listSessions(): Promise<SessionInfo[]> {
    return SessionsBody.parse(await this.call("GET", "/api/sessions")).sessions;
  }

  /**
   * Every session, each with the bytes its log holds now (`storedBytes`), unless the hub could
   * not read them (`unknown` says why).
   */
  async listStoredSessions(): Promise<SessionList> {
    return SessionList.parse(await this.call("GET", "/api/sessions?stored=true"));
  }

  async getSession(name: string): Promise<SessionInfo> {
    return SessionBody.parse(await this.call("GET", sessionPath(name))).session;
  }

  async createSession(request: CreateSessionRequest): Promise<SessionInfo> {
    return SessionBody.parse(await this.call("POST", "/api/sessions", request)).session;
  }

  async renameSession(name: string, newName: string): Promise<SessionInfo> {
    return SessionBody.parse(await this.call("PATCH", sessionPath(name), { name: newName })).session;
  }

  async killSession(name: string, signal?: KillSignal): Promise<SessionInfo> {
    const query = signal ? `?signal=${signal}` : "";
    return SessionBody.parse(await this.call("DELETE", `${sessionPath(name)}${query}`)).session;
  }

  /** Starts an ended terminal session again with its old screen above a marker line. */
  async reviveSession(name: string, options?: Record<string, unknown>): Promise<SessionInfo> {
    const body = options ? { options } : {};
    return SessionBody.parse(await this.call("POST", `${sessionPath(name)}/revive`, body)).session;
  }

  /** Removes ended sessions idle longer than `olderThan` (a duration such as `7d`). */
  async gc(olderThan?: string): Promise<string[]> {
    return GcBody.parse(await this.call("POST", "/api/gc", olderThan ? { olderThan } : {})).removed;
  }

  /** `id`: sent again with the same id, the input is applied once. */
  async input(name: string, data: string, id?: InputId): Promise<void> {
    OkBody.parse(await this.call("POST", `${sessionPath(name)}/input`, { data, ...(id ? { id } : {}) }));
  }

  async resize(name: string, cols: number, rows: number): Promise<void> {
    OkBody.parse(await this.call("POST", `${sessionPath(name)}/resize`, { cols, rows }));
  }

  /**
   * Runs a command of the session's kind (`POST /api/sessions/:name/commands/:command`, the
   * JSON body being `args`; no body when there are none) and returns its result, null when
   * the hub sent none. The kind validates the arguments; its refusal comes back as a
   * `DispatchError` with the hub's message. Waits as long as the hub does (see
   * `REQUEST_TIMEOUT_MS`).
   */
  async command(session: string, name: string, args?: unknown): Promise<unknown> {
    const path = `${sessionPath(session)}/commands/${encodeURIComponent(name)}`;
    const answer = await hubRequest(this.access, { method: "POST", path, body: args, timeoutMs: undefined });
    const body = CommandBody.safeParse(answer);
    if (!body.success) throw new DispatchError("internal", `the hub answered POST ${path} without a result`);
    return body.data.result ?? null;
  }

  /** One page of events with seq > `after`. */
  async events(
    name: string,
    after: number,
    limit = 1000,
  ): Promise<{ events: StoredEvent[]; lastSeq: number; firstSeq: number }> {
    return EventsBody.parse(
      await this.call("GET", `${sessionPath(name)}/events?after=${after}&limit=${limit}`),
    );
  }

  /** The newest stored events before `before` (oldest first) and the oldest seq retention kept. */
  async history(
    name: string,
    before: number,
    limit = 1000,
  ): Promise<{ events: StoredEvent[]; firstSeq: number }> {
    return HistoryBody.parse(
      await this.call("GET", `${sessionPath(name)}/history?before=${before}&limit=${limit}`),
    );
  }

  /** A WebSocket to this hub, hello done. */
  async connect(client = "dispatch-cli"): Promise<ClientSocket> {
    const { signer, key, guessed } = this.access;
    try {
      return await ClientSocket.connect({
        url: this.url,
        ...(signer ? { proofKey: signer } : key ? { key } : {}),
        client,
      });
    } catch (err) {
      if (err instanceof UnprovenHubError) {
        throw new DispatchError("host_unavailable", notRunningHere(this.access), { cause: err });
      }
      if (err instanceof DispatchError && err.code === "host_unavailable" && isRefused(err.cause)) {
        throw new DispatchError("host_unavailable", HUB_NOT_RUNNING, { cause: err });
      }
      if (err instanceof DispatchError && err.code === "unauthorized" && guessed) {
        throw new DispatchError("host_unavailable", notRunningHere(this.access), { cause: err });
      }
      throw err;
    }
  }

  /** One REST call; JSON in and out, error bodies thrown as `DispatchError` (for command modules' APIs). */
  call(method: string, path: string, body?: unknown): Promise<unknown> {
    return hubRequest(this.access, { method, path, body, timeoutMs: REQUEST_TIMEOUT_MS });
  }
}

function sessionPath(name: string): string {
  return `/api/sessions/${encodeURIComponent(name)}`;
}
