/**
 * `chat`: a conversation with an LLM through its API, run by the host's chat runtime
 * (`host/runtimes/chat.ts`) so it lives, streams and replays like every other session. Its
 * steps are `chat` events; revived, it continues the conversation rebuilt from them.
 */
import { z } from "zod";
import { parseOrBadRequest } from "../../protocol/parse.js";
import { command, type SessionKind } from "../kind.js";
import { conversationFromEvents, conversationToMarkdown, recentHistory } from "./conversation.js";
import { ChatData } from "./events.js";
import { ChatOptions } from "./options.js";

export const chatKind: SessionKind = {
  name: "chat",
  label: "chat",
  smallestSize: true,
  revivedAs: "it again, with the conversation so far",
  prepare({ options }) {
    const parsed = parseOrBadRequest(ChatOptions, options ?? {}, "invalid chat options");
    // The history becomes the new session's own events; the record keeps only the settings.
    const { history: _history, historyOmitted: _omitted, ...settings } = parsed;
    return { meta: { chat: settings }, spawn: parsed };
  },
  events: { chat: ChatData },
  describe(record) {
    const options = record.meta.chat as Record<string, unknown> | undefined;
    return options ? { options } : {};
  },
  revive({ record, events }) {
    const { history, omitted } = recentHistory(conversationFromEvents(events()));
    return {
      options: {
        ...(record.meta.chat as Record<string, unknown> | undefined),
        history,
        ...(omitted > 0 ? { historyOmitted: omitted } : {}),
      },
    };
  },
  commands: {
    export: command({
      description: "the conversation as Markdown",
      args: z.object({}).optional(),
      whileLive: false,
      // What watching shows already. A reply is cancelled by typing Ctrl-C, as a terminal's
      // command is: input, not a verb of its own.
      readOnly: true,
      run: ({ record, events }) => ({
        markdown: conversationToMarkdown(record.name, conversationFromEvents(events())),
      }),
    }),
  },
};
