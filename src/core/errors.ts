/**
 * One error type for the whole project. Each error carries a string code from `ERROR_CODES`;
 * the CLI maps codes to exit codes and the protocol sends them as `{type:"error", code}`.
 */

/** Every error code, with whether a client may retry the same request later. */
export const ERROR_CODES = {
  bad_request: { retryable: false, http: 400 },
  unauthorized: { retryable: false, http: 401 },
  forbidden: { retryable: false, http: 403 },
  not_found: { retryable: false, http: 404 },
  conflict: { retryable: false, http: 409 },
  too_large: { retryable: false, http: 413 },
  rate_limited: { retryable: true, http: 429 },
  limit_reached: { retryable: true, http: 429 },
  session_exited: { retryable: false, http: 409 },
  host_unavailable: { retryable: true, http: 503 },
  storage_failing: { retryable: true, http: 503 },
  protocol_version: { retryable: false, http: 400 },
  internal: { retryable: true, http: 500 },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Marks a DispatchError from any copy of this module: the hub and the host run bundled
 * (scripts/bundle.js), while a plug-in kind (DISPATCH_PLUGINS) throws its own import's errors.
 */
const BRAND = Symbol.for("dispatch.DispatchError");

export class DispatchError extends Error {
  readonly code: ErrorCode;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && BRAND in value;
  }

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DispatchError";
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}

/** Converts anything thrown into a DispatchError, keeping the original as `cause`. */
export function toDispatchError(err: unknown): DispatchError {
  if (err instanceof DispatchError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new DispatchError("internal", message, { cause: err });
}
