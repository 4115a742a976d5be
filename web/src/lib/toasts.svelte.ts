/** Short-lived messages (failed requests, notices), announced politely to screen readers. */

export interface Toast {
  id: number;
  text: string;
  kind: "error" | "info";
}

const TOAST_LIFETIME_MS = 6000;

class Toasts {
  items = $state<Toast[]>([]);
  #next = 1;

  push(text: string, kind: Toast["kind"] = "error"): void {
    const id = this.#next++;
    this.items.push({ id, text, kind });
    setTimeout(() => this.dismiss(id), TOAST_LIFETIME_MS);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();
