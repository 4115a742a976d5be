/**
 * Browser notifications for agents that need the person ("needs you"): off until the user
 * turns them on (the permission is asked from that click, never on page load), then one
 * notification per transition to `waiting`, when the page is hidden or the session is not
 * the one on screen.
 */
import type { SessionInfo } from "../../../src/protocol/session.js";
import { loadNotify, saveNotify } from "./persist.js";
import { toasts } from "./toasts.svelte.js";

export type NotifyPermission = NotificationPermission | "unsupported";

function currentPermission(): NotifyPermission {
  return typeof Notification === "undefined" ? "unsupported" : Notification.permission;
}

export class AgentNotifier {
  /** The user's choice (remembered); notifications also need the browser's permission. */
  wanted = $state(loadNotify());
  permission = $state<NotifyPermission>(currentPermission());

  get active(): boolean {
    return this.wanted && this.permission === "granted";
  }

  /** From a click: asks for the permission when needed, then turns notifications on or off. */
  async toggle(): Promise<void> {
    if (this.active) {
      this.#set(false);
      return;
    }
    if (this.permission === "unsupported") {
      toasts.push("This browser does not support notifications.");
      return;
    }
    if (this.permission !== "granted") {
      try {
        this.permission = await Notification.requestPermission();
      } catch {
        this.permission = currentPermission();
      }
    }
    if (this.permission === "granted") this.#set(true);
    else
      toasts.push(
        "The browser blocks notifications for this page; allow them in the site settings to be told when an agent needs you.",
      );
  }

  /** Shows a notification for `session`, which just started waiting, unless the user is looking at it. */
  notify(session: SessionInfo, isOnScreen: boolean, onclick: () => void): void {
    this.permission = currentPermission();
    if (!this.active || (isOnScreen && document.visibilityState === "visible")) return;
    const guess = session.agent?.source === "guess" ? " (a guess)" : "";
    try {
      const notification = new Notification(`${session.name} needs you${guess}`, {
        body: session.agent?.message || "The agent is waiting for your input.",
        tag: `dispatch-agent-${session.id}`,
      });
      notification.onclick = () => {
        window.focus();
        onclick();
        notification.close();
      };
    } catch {
      // Some browsers only allow notifications from a service worker: the marker still shows.
    }
  }

  #set(on: boolean): void {
    this.wanted = on;
    saveNotify(on);
  }
}
