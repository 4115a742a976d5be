/** Short-lived messages (failed requests, notices), announced politely to screen readers. */

export interface Toast {
  id: number;
  text: string;
  kind: "error" | "info";
  /** How many times it was said while shown (each key typed at a host that is away says it). */
  count: number;
}

const TOAST_LIFETIME_MS = 6000;

class Toasts {
  items = $state<Toast[]>([]);
  #next = 1;
  #timers = new Map<number, ReturnType<typeof setTimeout>>();

  /**
   * Shows `text`; said again while it is still shown, the one toast counts it and stays its
   * full time from now, rather than stacking copies up the screen.
   */
  push(text: string, kind: Toast["kind"] = "error"): void {
    const shown = this.items.find((t) => t.text === text && t.kind === kind);
    if (shown) shown.count++;
    const id = shown?.id ?? this.#next++;
    if (!shown) this.items.push({ id, text, kind, count: 1 });
    clearTimeout(this.#timers.get(id));
    this.#timers.set(
      id,
      setTimeout(() => this.dismiss(id), TOAST_LIFETIME_MS),
    );
  }

  dismiss(id: number): void {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();
