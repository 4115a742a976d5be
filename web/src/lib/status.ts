/** How a session status looks in the panel. Unknown statuses (a newer hub) render neutrally. */

export interface StatusLook {
  label: string;
  /** CSS custom property holding the colour. */
  color: string;
}

const LOOKS: Record<string, StatusLook> = {
  starting: { label: "starting", color: "var(--status-starting)" },
  running: { label: "running", color: "var(--status-running)" },
  exited: { label: "exited", color: "var(--status-exited)" },
  failed: { label: "failed", color: "var(--status-failed)" },
  orphaned: { label: "orphaned", color: "var(--status-orphaned)" },
  unreachable: { label: "unreachable", color: "var(--status-unreachable)" },
};

export function statusLook(status: string): StatusLook {
  return LOOKS[status] ?? { label: status, color: "var(--status-unknown)" };
}

/** Colour of a host's link status (`connected`, `reconnecting`, ...); unknown ones are neutral. */
export function hostStatusColor(status: string): string {
  return ["connected", "reconnecting", "disconnected", "failed"].includes(status)
    ? `var(--host-${status})`
    : "var(--host-unknown)";
}

/** Colour of a host's health (`healthy`, `warning`, `critical`); `unknown` is muted. */
export function healthColor(health: string): string {
  return ["healthy", "warning", "critical"].includes(health) ? `var(--health-${health})` : "var(--muted)";
}
