// watch$(): the list-then-watch loop as an Observable that never completes and never errors
// while subscribed. It lists (paginated), then watches from the list's resourceVersion with
// bookmarks, and keeps going:
//   - a watch request that ends normally (server-side timeout) resumes from the last seen
//     resourceVersion, bookmarks included, without relisting;
//   - 410 Gone, as an HTTP status or as an ERROR event, means that resourceVersion is
//     forgotten: relist at once (init, the full list, initDone again);
//   - no event and no bookmark for `inactivitySeconds` means a silently dead connection:
//     abort it and watch again from the last resourceVersion;
//   - any other failure (connection reset, 5xx, 429, a malformed line) reconnects from the
//     last resourceVersion after a jittered exponential backoff.
// Unsubscribing aborts the request in flight.
import { defer, finalize, Observable, repeat, retry, timer } from 'rxjs';
import { ApiError } from '../kube/errors.js';
import type { KubeHttp } from '../kube/http.js';
import type { KubeObject, ObjectList } from '../kube/object.js';
import { apiVersionOf, resourcePath, type ResourceRef } from '../kube/resource.js';
import { createBackoff, type WatchBackoffOptions } from './backoff.js';
import type { WatcherEvent } from './events.js';

export interface WatchOptions {
  /** Omit to watch all namespaces (or a cluster-scoped kind). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Objects per list page. */
  pageSize?: number;
  /** Server-side duration of each watch request; by default 250–290 s, jittered per request. */
  timeoutSeconds?: number;
  /** Silence (no event, no bookmark) after which a watch is presumed dead and re-opened. */
  inactivitySeconds?: number;
  backoff?: WatchBackoffOptions;
  log?: WatchLog;
  hooks?: WatchHooks;
}

/** Why a request was replaced: `expired` relists, `inactivity` re-watches, `error` backs off first. */
export type WatchRestartReason = 'expired' | 'inactivity' | 'error';

/** Counters for metrics. */
export interface WatchHooks {
  onRestart?(reason: WatchRestartReason, resource: ResourceRef): void;
  /** A list-then-watch loop starts (+1) or ends (-1): the number of watches held open. */
  onActive?(delta: 1 | -1, resource: ResourceRef, namespace: string | undefined): void;
  /** A list that replaces an earlier complete one (not the first list). */
  onRelist?(): void;
}

/** The part of a logger the watcher uses; a winston Logger fits. */
export interface WatchLog {
  debug(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
}

/** The two calls the watcher makes; KubeClient's `http` has them. */
export interface WatchTransport {
  request: KubeHttp['request'];
  stream: KubeHttp['stream'];
}

const defaultPageSize = 500;
// Above the apiserver's 60 s bookmark interval, so an idle but healthy watch is never cut.
const defaultInactivitySeconds = 90;
// client-go counts a watch that ends this fast without events as a failure, so a server or
// proxy that closes every watch at once gets backoff instead of a hot loop.
const shortWatchMs = 1000;

/** Thrown into the retry logic when the watchdog aborted a silent watch. */
export class WatchInactivityError extends Error {
  constructor(seconds: number) {
    super(`no watch event or bookmark for ${seconds} s`);
    this.name = 'WatchInactivityError';
  }
}

export function watch$<T extends KubeObject = KubeObject>(
  client: { http: WatchTransport },
  resource: ResourceRef,
  options: WatchOptions = {},
): Observable<WatcherEvent<T>> {
  return defer(() => {
    // Per subscription: where the next watch resumes; undefined means list first.
    const cursor: Cursor = { resourceVersion: undefined, listedBefore: false };
    const nextBackoffMs = createBackoff(options.backoff);
    const what = { resource: resource.plural, namespace: options.namespace ?? '*' };

    const recover = (error: unknown): Observable<0> => {
      const reason = restartReason(error);
      options.hooks?.onRestart?.(reason, resource);
      if (reason === 'expired') {
        options.log?.debug('watch: resourceVersion expired, relisting', { ...what, error: describe(error) });
        cursor.resourceVersion = undefined;
        return timer(0);
      }
      if (reason === 'inactivity') {
        options.log?.debug('watch: silent for too long, re-watching', { ...what, error: describe(error) });
        return timer(0);
      }
      const delayMs = nextBackoffMs();
      options.log?.warn('watch: request failed, reconnecting', { ...what, error: describe(error), delayMs });
      return timer(delayMs);
    };

    options.hooks?.onActive?.(1, resource, options.namespace);
    return defer(() =>
      cursor.resourceVersion === undefined
        ? list$<T>(client.http, resource, options, cursor)
        : watchOnce$<T>(client.http, resource, options, cursor, cursor.resourceVersion),
    ).pipe(
      repeat(),
      retry({ delay: recover }),
      finalize(() => options.hooks?.onActive?.(-1, resource, options.namespace)),
    );
  });
}

interface Cursor {
  resourceVersion: string | undefined;
  listedBefore: boolean;
}

function list$<T extends KubeObject>(
  http: WatchTransport,
  resource: ResourceRef,
  options: WatchOptions,
  cursor: Cursor,
): Observable<WatcherEvent<T>> {
  return fromAsync(async (emit, signal) => {
    if (cursor.listedBefore) options.hooks?.onRelist?.();
    emit({ type: 'init' });
    let continueToken: string | undefined;
    let resourceVersion: string;
    do {
      const page = await http.request<ObjectList<T>>('GET', resourcePath(resource, options.namespace), {
        query: {
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
          limit: options.pageSize ?? defaultPageSize,
          continue: continueToken,
        },
        signal,
      });
      // List items come without apiVersion/kind; watch events have them. Make both alike.
      for (const item of page.items) emit({ type: 'initApply', object: withTypeMeta(item, resource) });
      continueToken = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion ?? '';
    } while (continueToken);
    cursor.resourceVersion = resourceVersion;
    cursor.listedBefore = true;
    emit({ type: 'initDone', resourceVersion });
  });
}

function watchOnce$<T extends KubeObject>(
  http: WatchTransport,
  resource: ResourceRef,
  options: WatchOptions,
  cursor: Cursor,
  resourceVersion: string,
): Observable<WatcherEvent<T>> {
  return fromAsync(async (emit, signal) => {
    const inactivitySeconds = options.inactivitySeconds ?? defaultInactivitySeconds;
    const watchdog = new AbortController();
    const silence = setTimeout(() => watchdog.abort(), inactivitySeconds * 1000);
    const started = Date.now();
    let lines = 0;
    try {
      const stream = http.stream(resourcePath(resource, options.namespace), {
        query: {
          watch: 1,
          resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds: options.timeoutSeconds ?? Math.round(250 + 40 * Math.random()),
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
        },
        signal: AbortSignal.any([signal, watchdog.signal]),
      });
      for await (const line of stream) {
        silence.refresh();
        lines++;
        const event = parseWatchLine(line);
        if (event.type === 'ERROR') throw statusError(event.object);
        const seen = event.object.metadata?.resourceVersion;
        if (seen) cursor.resourceVersion = seen;
        if (event.type === 'BOOKMARK') continue;
        const object = withTypeMeta(event.object as T, resource);
        emit(event.type === 'DELETED' ? { type: 'delete', object } : { type: 'apply', object });
      }
    } catch (error) {
      throw watchdog.signal.aborted && !signal.aborted ? new WatchInactivityError(inactivitySeconds) : error;
    } finally {
      clearTimeout(silence);
    }
    if (lines === 0 && Date.now() - started < shortWatchMs) {
      throw new Error('the watch ended at once without any event');
    }
  });
}

type WatchLine =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: KubeObject }
  | { type: 'ERROR'; object: { code?: number; reason?: string; message?: string } };

function parseWatchLine(line: unknown): WatchLine {
  const candidate = line as { type?: unknown; object?: unknown } | null;
  const type = candidate?.type;
  const object = candidate?.object;
  if (typeof object !== 'object' || object === null) throw new Error('a watch line without an object');
  if (type === 'ERROR') return { type, object };
  if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED' || type === 'BOOKMARK') {
    if (!('metadata' in object)) throw new Error(`a ${type} watch event without metadata`);
    return { type, object: object as KubeObject };
  }
  throw new Error(`an unknown watch event type: ${String(type)}`);
}

function statusError(status: { code?: number; reason?: string; message?: string }): ApiError {
  return new ApiError(
    status.code ?? 500,
    status.reason ?? 'WatchError',
    status.message ?? 'ERROR event',
    status,
  );
}

function restartReason(error: unknown): WatchRestartReason {
  if (error instanceof ApiError && error.isGone) return 'expired';
  if (error instanceof WatchInactivityError) return 'inactivity';
  return 'error';
}

function withTypeMeta<T extends KubeObject>(object: T, resource: ResourceRef): T {
  if (object.apiVersion && object.kind) return object;
  return { ...object, apiVersion: apiVersionOf(resource), kind: resource.kind };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An Observable driven by an async function; unsubscribing aborts its signal. */
function fromAsync<T>(run: (emit: (value: T) => void, signal: AbortSignal) => Promise<void>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const abort = new AbortController();
    run((value) => subscriber.next(value), abort.signal).then(
      () => subscriber.complete(),
      (error: unknown) => subscriber.error(error),
    );
    return () => abort.abort();
  });
}
