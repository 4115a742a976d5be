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
  /**
   * The request field the error is about, as a path into the request ("cwd", "env.BIG",
   * "options"), when it is about one: a client that wrote that field (`dispatch up`, at its line
   * in dispatch.toml) points there without reading the message.
   */
  readonly field: string | undefined;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && BRAND in value;
  }

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; field?: string | undefined }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "DispatchError";
    this.code = code;
    this.field = options?.field;
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

/** The error as it goes on the wire (REST, a host's reply): its field only when it has one. */
export function errorFields(error: DispatchError): { code: ErrorCode; message: string; field?: string } {
  return {
    code: error.code,
    message: error.message,
    ...(error.field !== undefined ? { field: error.field } : {}),
  };
}

/** The same error said about a request field, if it names none yet (a kind's options). */
export function aboutField(err: unknown, field: string): unknown {
  if (!(err instanceof DispatchError) || err.field !== undefined) return err;
  return new DispatchError(err.code, err.message, { cause: err, field });
}

/** Converts anything thrown into a DispatchError, keeping the original as `cause`. */
export function toDispatchError(err: unknown): DispatchError {
  if (err instanceof DispatchError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new DispatchError("internal", message, { cause: err });
}
