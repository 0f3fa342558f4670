// Per-handler progress of the change being handled, persisted on the object itself (an
// annotation or a status field, see state-store.ts) so that a restarted operator, or a new
// leader, continues where the last one stopped and never re-runs a handler that already
// succeeded for that change. Messages are truncated (MAX_PROGRESS_MESSAGE), so a huge error
// never makes the record unwritable.

export interface HandlerProgress {
  retries: number;
  /** ISO time before which the handler must not run again. */
  delayedUntil?: string;
  success?: boolean;
  failure?: boolean;
  message?: string;
}

export interface ProgressRecord {
  /** Identifies the change these entries belong to (the essence hash, or 'delete'). */
  change: string;
  handlers: Record<string, HandlerProgress>;
}

export interface StorageKeys {
  progress: string;
  diffBase: string;
  finalizer: string;
  timers: string;
  related: string;
}

/** The prefix of the framework's annotations, status field and finalizer unless an operator names its own. */
export const DEFAULT_STORAGE_PREFIX = 'operators.fedoraproject.org';

export function storageKeys(prefix: string): StorageKeys {
  return {
    progress: `${prefix}/progress`,
    diffBase: `${prefix}/last-handled-configuration`,
    finalizer: `${prefix}/finalizer`,
    timers: `${prefix}/timers`,
    related: `${prefix}/related`,
  };
}

/** Longest message kept per handler: the whole record must stay far below the annotation limit. */
export const MAX_PROGRESS_MESSAGE = 512;

export function truncated(message: string, max: number): string {
  return message.length <= max ? message : `${message.slice(0, max - 15)}… (truncated)`;
}

/** The progress a stored value says for `change` (see state-store.ts for where it is stored). */
export function decodeProgress(raw: string | undefined, change: string): ProgressRecord {
  if (raw) {
    try {
      const record = JSON.parse(raw) as ProgressRecord;
      // Progress of an older change is void: the new change starts every handler afresh.
      if (record.change === change && record.handlers) return record;
    } catch {
      // A hand-edited, unreadable record is treated as no progress.
    }
  }
  return { change, handlers: {} };
}
