/**
 * How many client WebSockets one person may hold open at once. Each open socket costs the hub
 * memory (its subscriptions, what is queued for it: ~250 KB for a viewer attached to a flood
 * that does not read, measured), so without a bound one token could open thousands and grow
 * the hub by hundreds of MB. The access key is the hub's own administrator and not counted.
 */
import { DispatchError } from "../core/errors.js";
import type { Principal } from "../protocol/people.js";

/** Far more than the tabs and terminals one person keeps open; a share link is one "person". */
export const DEFAULT_MAX_SOCKETS_PER_PERSON = 64;

export class SocketQuota {
  private readonly open = new Map<string, number>();

  constructor(private readonly limit: number = DEFAULT_MAX_SOCKETS_PER_PERSON) {}

  /** Counts one more socket of `principal`, or throws `limit_reached`; returns what gives it back. */
  take(principal: Principal): () => void {
    if (principal.via === "key") return () => {};
    const held = this.open.get(principal.id) ?? 0;
    if (held >= this.limit) {
      const who = principal.via === "share" ? "this share link" : principal.name;
      throw new DispatchError(
        "limit_reached",
        `${who} has ${held} connections open to this hub, the most one may hold; close some tabs or terminals (an owner can raise DISPATCH_MAX_SOCKETS)`,
      );
    }
    this.open.set(principal.id, held + 1);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const left = (this.open.get(principal.id) ?? 1) - 1;
      if (left > 0) this.open.set(principal.id, left);
      else this.open.delete(principal.id);
    };
  }
}
