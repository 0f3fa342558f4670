// The error model handlers use to tell the engine what to do next.

/** Retry later: after delaySeconds if given, else after the handler's backoff. */
export class TemporaryError extends Error {
  constructor(
    message: string,
    readonly delaySeconds?: number,
  ) {
    super(message);
    this.name = 'TemporaryError';
  }
}

/** Do not retry this change; the failure is shown in status (Stalled) and an Event. */
export class PermanentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentError';
  }
}

/** The handler ran longer than its timeoutSeconds; retried like any other error per its policy. */
export class HandlerTimeoutError extends Error {
  constructor(handlerId: string, seconds: number) {
    super(`handler '${handlerId}' timed out after ${seconds}s`);
    this.name = 'HandlerTimeoutError';
  }
}
