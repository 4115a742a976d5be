/**
 * `chat`: a conversation with an LLM through its API, shown as turns (Markdown replies)
 * with a composer instead of a terminal. It needs its events, not a screen, to attach.
 */
import { defineKind } from "../kind.js";
import ChatPane from "./ChatPane.svelte";
import CreateFields from "./CreateFields.svelte";
import { ChatView } from "./chat-session.svelte.js";
import Icon from "./Icon.svelte";

export const chat = defineKind({
  name: "chat",
  label: "Chat with an LLM",
  Icon,
  open: (info, io) => new ChatView(info.id, io),
  View: ChatPane,
  attach: "events",
  create: CreateFields,
  revivable: false,
  searchable: false,
  foreground: false,
  keyBar: false,
});
