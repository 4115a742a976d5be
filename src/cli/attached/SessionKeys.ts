/**
 * Where the keys meant for a session go: to the session shown, numbered and kept until the hub
 * has them (`Connection.input`); held while the first session is being attached; not sent to a
 * session this client may only watch, with a word on the status bar saying why.
 */
import type { Connection } from "./Connection.js";
import type { SessionRoles } from "./SessionRoles.js";
import type { SessionView } from "./SessionView.js";
import type { StatusRow } from "./StatusRow.js";

export interface SessionKeysOptions {
  connection: Connection;
  view: SessionView;
  roles: SessionRoles;
  bar: StatusRow;
}

export class SessionKeys {
  /**
   * Keys typed while the first session's attach is under way (the terminal is raw by then),
   * sent to it once it is shown: `dispatch attach build` and `make` typed at once loses nothing.
   */
  private early: string[] | undefined;

  constructor(private readonly options: SessionKeysOptions) {}

  /** The first session is being attached: keys wait for it (`releaseEarly`). */
  holdEarly(): void {
    this.early = [];
  }

  /** The first attach is over: what waited goes to the session shown, unless the client leaves. */
  releaseEarly(leaving: boolean): void {
    const early = this.early?.join("");
    this.early = undefined;
    const current = this.options.view.current;
    if (early && current && !leaving) this.options.connection.input(current.id, early);
  }

  send(keys: string): void {
    const { view, roles, bar, connection } = this.options;
    const current = view.current;
    if (!current) this.early?.push(keys);
    else if (roles.readOnly(current.id)) bar.notice(current.id, readOnlyNotice(current.name));
    else connection.input(current.id, keys);
  }

  /** An owner changed this client's role on a session while attached: said if it is the one shown. */
  roleChanged(session: string, readOnly: boolean): void {
    const { view, bar } = this.options;
    const current = view.current;
    if (current?.id !== session) return bar.draw();
    bar.notice(
      session,
      readOnly
        ? `you are now ${readOnlyNotice(current.name)}`
        : `you can write now: ${current.name} takes your keys again`,
    );
  }
}

/** What a person who may only watch a session is told (the hub refuses their keys anyway). */
function readOnlyNotice(name: string): string {
  return `read-only on ${name}: what you type is not sent; ask its owner for write access`;
}
