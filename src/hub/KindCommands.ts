/**
 * The verbs of a session's kind (a workspace's `eval`, an editor's `read`): arguments checked by
 * the kind's schema, then run in the hub or sent to the session's runtime, as the kind says.
 */
import { commandOf, getKind } from "../kinds/registry.js";
import { parseOrBadRequest } from "../protocol/parse.js";
import type { Caller } from "../protocol/people.js";
import { readWholeLog, type Store } from "../store/Store.js";
import { requireLive } from "./endedSession.js";
import type { HostLinks } from "./HostMonitor.js";
import type { HubEvents } from "./HubEvents.js";
import { answerUnlessEnded } from "./longCommands.js";
import type { SessionDirectory } from "./SessionDirectory.js";

export interface KindCommandsOptions {
  store: Store;
  directory: SessionDirectory;
  hosts: HostLinks;
  bus: HubEvents;
}

export class KindCommands {
  constructor(private readonly options: KindCommandsOptions) {}

  /**
   * Runs the verb `name` of the session's kind. A long-running verb (an evaluation) waits for
   * its answer as long as the session and its host's link last. `by`: the person asking, told
   * to the runtime (a workspace says whose cell waits); none when no person asked.
   */
  async run(ref: string, name: string, rawArgs: unknown, by?: Caller): Promise<unknown> {
    const { directory, hosts } = this.options;
    const record = directory.resolve(ref);
    const definition = commandOf(getKind(record.kind), name);
    const args = parseOrBadRequest(definition.args, rawArgs, `invalid arguments for '${name}'`);
    if (definition.whileLive !== false) requireLive(record, `'${name}' was not run`);
    const longRunning = definition.longRunning === true;
    const host = (verb: string, hostArgs: unknown) => {
      const link = hosts.require(record.host);
      const answer = link.request(
        { type: "command", session: record.id, name: verb, args: hostArgs, ...(by ? { by } : {}) },
        { longRunning },
      );
      if (!longRunning) return answer;
      const { bus, directory } = this.options;
      return answerUnlessEnded({ bus, directory }, { id: record.id, verb, link, answer });
    };
    if (!definition.run) return host(name, args);
    return definition.run({ record, host, events: () => readWholeLog(this.options.store, record.id) }, args);
  }
}
