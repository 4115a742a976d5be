/**
 * What the hub answers a request Node could not take in (`clientError`): its headers over
 * Node's limit, too slow to arrive, or not HTTP at all. Fastify's own answer names only the
 * status ("Exceeded maximum allowed HTTP header size"); this one has the hub's error shape and
 * says what to change.
 */
import { maxHeaderSize } from "node:http";
import type { Socket } from "node:net";
import type { ErrorCode } from "../core/errors.js";

interface Answer {
  status: number;
  reason: string;
  code: ErrorCode;
  message: string;
}

/** How long Node waits for a request's headers and for all of it (the hub's settings). */
export interface RequestTimeouts {
  headersTimeout: number;
  requestTimeout: number;
}

export function clientErrorAnswer(err: NodeJS.ErrnoException, timeouts: RequestTimeouts): Answer {
  if (err.code === "HPE_HEADER_OVERFLOW") {
    return {
      status: 431,
      reason: "Request Header Fields Too Large",
      code: "too_large",
      message: `the request's address and headers are over ${maxHeaderSize} bytes together; shorten the address (its query string) or clear this site's cookies`,
    };
  }
  if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return {
      status: 408,
      reason: "Request Timeout",
      code: "bad_request",
      message: `the request did not arrive in time (its headers within ${timeouts.headersTimeout / 1000} s, all of it within ${timeouts.requestTimeout / 1000} s); send it again`,
    };
  }
  return {
    status: 400,
    reason: "Bad Request",
    code: "bad_request",
    message: `not a valid HTTP/1.1 request (${err.code ?? err.message}); check what sends it`,
  };
}

/** Fastify's `clientErrorHandler`: answers once if the socket can still be written, then closes it. */
export function clientErrorHandler(timeouts: RequestTimeouts) {
  return (err: NodeJS.ErrnoException, socket: Socket): void => {
    // A reset connection has nobody to answer.
    if (err.code === "ECONNRESET" || socket.destroyed) return;
    if (socket.writable) {
      const { status, reason, code, message } = clientErrorAnswer(err, timeouts);
      const body = JSON.stringify({ error: { code, message } });
      socket.write(
        `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(err);
  };
}
