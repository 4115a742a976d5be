/**
 * What this host tells a hub about itself in its hello: who it is (the id and name it was
 * started with, and its labels), where it runs, its dispatch version and process, and the
 * session kinds it can run.
 */
import { arch, hostname, platform } from "node:os";
import { VERSION } from "../core/version.js";
import type { HostInfo } from "../protocol/host.js";
import { runtimeKinds } from "./runtimes/registry.js";

export function hostInfo(identity: { id: string; name: string; labels?: Record<string, string> }): HostInfo {
  return {
    id: identity.id,
    name: identity.name,
    hostname: hostname(),
    os: platform(),
    arch: arch(),
    version: VERSION,
    pid: process.pid,
    capabilities: runtimeKinds(),
    labels: identity.labels ?? {},
  };
}
