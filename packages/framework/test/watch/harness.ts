// Runs watch$() + reflect() on ConfigMaps against the real apiserver and records everything:
// the requests the watcher made, the raw lines the server sent, the watcher's and the
// reflector's events, and the restart/relist hooks. The transport between the watcher and
// the real KubeHttp can also cut the connection and, on reconnect, replace the watch's
// resourceVersion with a stale one so that the real server answers 410.
import { tap, type Subscription } from 'rxjs';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeHttp, RequestInit } from '../../src/kube/http.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import { CoreResources } from '../../src/kube/resource.ts';
import type { ObjectEvent, WatcherEvent } from '../../src/watch/events.ts';
import { reflect } from '../../src/watch/reflector.ts';
import { Store } from '../../src/watch/store.ts';
import {
  watch$,
  type WatchOptions,
  type WatchRestartReason,
  type WatchTransport,
} from '../../src/watch/watcher.ts';

export type ConfigMap = KubeObject & { data?: Record<string, string> };
type Query = NonNullable<RequestInit['query']>;
export interface RawLine {
  type: string;
  object: { code?: number; metadata?: { name?: string; resourceVersion?: string } };
}

// The controller-manager adds this ConfigMap to every namespace at a moment of its choosing.
export const withoutRootCa = 'metadata.name!=kube-root-ca.crt';

export class RecordingTransport implements WatchTransport {
  readonly listQueries: Query[] = [];
  readonly watchQueries: Query[] = [];
  readonly lines: RawLine[] = [];
  private disconnected = false;
  private cut = new AbortController();
  private resumeFrom: string | undefined;

  constructor(private readonly http: KubeHttp) {}

  request<T>(method: string, path: string, init: RequestInit = {}): Promise<T> {
    this.listQueries.push({ ...init.query });
    return this.http.request<T>(method, path, init);
  }

  async *stream(path: string, init: RequestInit = {}): AsyncGenerator<unknown> {
    if (this.disconnected)
      throw Object.assign(new Error('connect ECONNREFUSED (test)'), { code: 'ECONNREFUSED' });
    const query = { ...init.query, ...(this.resumeFrom ? { resourceVersion: this.resumeFrom } : {}) };
    this.resumeFrom = undefined;
    this.watchQueries.push(query);
    const signal = init.signal ? AbortSignal.any([init.signal, this.cut.signal]) : this.cut.signal;
    for await (const line of this.http.stream(path, { ...init, query, signal })) {
      this.lines.push(line as RawLine);
      yield line;
    }
  }

  /** Drops the open watch and refuses new ones, as a network outage would. */
  disconnect(): void {
    this.disconnected = true;
    this.cut.abort();
    this.cut = new AbortController();
  }

  /** Lets watches through again; the next one asks for `resourceVersion` if given. */
  reconnect(options: { resourceVersion?: string } = {}): void {
    this.resumeFrom = options.resourceVersion;
    this.disconnected = false;
  }
}

export interface WatchRun {
  transport: RecordingTransport;
  store: Store<ConfigMap>;
  raw: WatcherEvent<ConfigMap>[];
  events: ObjectEvent<ConfigMap>[];
  restarts: WatchRestartReason[];
  relists(): number;
  stop(): void;
}

export function startWatch(client: KubeClient, options: Omit<WatchOptions, 'hooks'>): WatchRun {
  const transport = new RecordingTransport(client.http);
  const store = new Store<ConfigMap>();
  const raw: WatcherEvent<ConfigMap>[] = [];
  const events: ObjectEvent<ConfigMap>[] = [];
  const restarts: WatchRestartReason[] = [];
  let relists = 0;
  const subscription: Subscription = watch$<ConfigMap>({ http: transport }, CoreResources.configMap, {
    backoff: { initialMs: 100, maxMs: 500 },
    fieldSelector: withoutRootCa,
    ...options,
    hooks: { onRestart: (reason) => restarts.push(reason), onRelist: () => relists++ },
  })
    .pipe(
      tap((event) => raw.push(event)),
      reflect(store),
    )
    .subscribe((event) => events.push(event));
  return {
    transport,
    store,
    raw,
    events,
    restarts,
    relists: () => relists,
    stop: () => subscription.unsubscribe(),
  };
}

/** `upsert name previous=<data.v or ->`, `delete name`, `synced`: compact for assertions. */
export function summary(events: ObjectEvent<ConfigMap>[]): string[] {
  return events.map((e) =>
    e.type === 'synced'
      ? 'synced'
      : e.type === 'delete'
        ? `delete ${e.object.metadata.name}`
        : `upsert ${e.object.metadata.name} v=${e.object.data?.v ?? '-'} previous=${e.previous?.data?.v ?? '-'}`,
  );
}

export function configMap(
  namespace: string,
  name: string,
  v: string,
  labels?: Record<string, string>,
): ConfigMap {
  return { metadata: { namespace, name, labels }, data: { v } };
}

export const rv = (value: string | number | undefined): bigint => BigInt(value ?? 0);
