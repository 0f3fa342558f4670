// An API call that the apiserver answered with an error Status.
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly reason: string,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get isNotFound(): boolean {
    return this.statusCode === 404;
  }

  get isConflict(): boolean {
    return this.statusCode === 409;
  }

  /** 410 Gone: a resourceVersion older than what the apiserver still remembers. */
  get isGone(): boolean {
    return this.statusCode === 410;
  }
}

export function isApiError(error: unknown, statusCode?: number): error is ApiError {
  return error instanceof ApiError && (statusCode === undefined || error.statusCode === statusCode);
}

/** A write (or a handler run) refused locally: this process is not, or no longer, the leader. */
export class NotLeaderError extends Error {
  constructor() {
    super('not the leader: writes and handler runs are refused');
    this.name = 'NotLeaderError';
  }
}
