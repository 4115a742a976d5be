/**
 * The one asynchronous action a dialog runs (kill, revoke, create...): whether it is under
 * way, and the message of its last failure, for the dialog to show.
 */
export class PendingAction {
  busy = $state(false);
  error = $state("");

  /** Runs `action` unless one is under way; a thrown error becomes `error`. */
  async run(action: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = "";
    try {
      await action();
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = false;
    }
  }
}
