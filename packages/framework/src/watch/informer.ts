// An informer: one list-then-watch loop and one cache for one (resource, namespace, label
// selector), shared by every reader in the process (the primary kind of a controller, the
// kinds it references, owns or @Watches, across controllers). Its event stream is multicast:
//   - the watch starts with the first subscriber and stops with the last one (reference
//     counted); the factory then forgets the informer, so a later subscriber lists afresh;
//   - a subscriber that arrives after the initial list gets the cached objects as upserts
//     (previous: undefined) and `synced` at once, as if it had listed them itself;
//   - content is 'full' or 'metadata' (slim.ts); the cache holds the richest form any reader
//     asked for. A reader asking for 'full' from a running metadata-only informer makes it
//     list again (the relist swaps the full objects in, its `synced` follows);
//   - the watch itself never errors (watch$ retries); the stream ends only by unsubscribing.
import { map, Observable, Subject, type Subscriber, type Subscription } from 'rxjs';
import type { KubeObject } from '../kube/object.js';
import type { ResourceRef } from '../kube/resource.js';
import type { ObjectEvent, WatcherEvent } from './events.js';
import { reflect } from './reflector.js';
import { metadataOnly } from './slim.js';
import { Store, type ReadonlyStore } from './store.js';
import { watch$, type WatchHooks, type WatchLog, type WatchTransport } from './watcher.js';

export type InformerContent = 'full' | 'metadata';

export interface InformerScope {
  resource: ResourceRef;
  /** Omit for all namespaces, or for a cluster-scoped kind. */
  namespace?: string;
  labelSelector?: string;
}

export interface InformerDeps {
  client: { http: WatchTransport };
  log?: WatchLog;
  hooks?: WatchHooks;
  /** The last subscriber left and the watch stopped. */
  onIdle?: () => void;
}

export class Informer {
  private readonly store = new Store();
  private readonly changes = new Subject<ObjectEvent>();
  private source: Subscription | undefined;
  private subscribers = 0;
  /** The cache holds a complete list in the current content form. */
  private synced = false;
  /** Subscribers that came while an upgrade relist ran: they get the cache when it completes. */
  private readonly awaitingReplay = new Set<Subscriber<ObjectEvent>>();

  constructor(
    readonly scope: InformerScope,
    private content: InformerContent,
    private readonly deps: InformerDeps,
  ) {}

  /** The cache, read-only. Empty or partial until `hasSynced`. */
  get cache(): ReadonlyStore {
    return this.store.view;
  }

  get hasSynced(): boolean {
    return this.synced;
  }

  get contentForm(): InformerContent {
    return this.content;
  }

  /** Makes sure the cache holds at least this content (a metadata-only one relists for 'full'). */
  need(content: InformerContent): void {
    if (content === this.content || content === 'metadata') return;
    this.content = 'full';
    if (!this.source) return;
    this.synced = false;
    this.source.unsubscribe();
    this.source = this.startSource();
  }

  /** Every change of the cache, after it was applied; late subscribers first get the cache. */
  readonly events$: Observable<ObjectEvent> = new Observable<ObjectEvent>((subscriber) => {
    const subscription = this.changes.subscribe(subscriber);
    if (this.synced) this.replay(subscriber);
    // Relisting for full content: unchanged objects will not come as events.
    else if (this.store.hasSynced) this.awaitingReplay.add(subscriber);
    this.subscribers++;
    this.source ??= this.startSource();
    return () => {
      subscription.unsubscribe();
      this.awaitingReplay.delete(subscriber);
      if (--this.subscribers > 0) return;
      this.source?.unsubscribe();
      this.source = undefined;
      this.deps.onIdle?.();
    };
  });

  private startSource(): Subscription {
    const { resource, namespace, labelSelector } = this.scope;
    const slim = this.content === 'metadata';
    return watch$(this.deps.client, resource, {
      namespace,
      labelSelector,
      log: this.deps.log,
      hooks: this.deps.hooks,
    })
      .pipe(
        map((event) => (slim ? slimmed(event) : event)),
        reflect(this.store),
      )
      .subscribe((event) => {
        if (event.type === 'synced') {
          this.synced = true;
          for (const subscriber of this.awaitingReplay) this.replay(subscriber, false);
          this.awaitingReplay.clear();
        }
        this.changes.next(event);
      });
  }

  private replay(subscriber: Subscriber<ObjectEvent>, synced = true): void {
    for (const object of this.store.list()) subscriber.next({ type: 'upsert', object, previous: undefined });
    if (synced) subscriber.next({ type: 'synced' });
  }
}

function slimmed(event: WatcherEvent): WatcherEvent {
  return 'object' in event ? { ...event, object: metadataOnly(event.object as KubeObject) } : event;
}
