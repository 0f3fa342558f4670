// The pipeline of one controller, top to bottom:
//   watch$ (list, then watch, per namespace) -> reflect into the cache -> raw-event handlers
//   -> one key per changed object -> per-object queue (serialised, coalesced, bounded) -> process.
// Beside it, secondary watches wake objects by key: referenced kinds (through the reference
// index), owned children (through their ownerReferences), watched kinds (through their map
// function), and the periodic resync.
import { EMPTY, from, merge, mergeMap, Observable, share, tap, type Subscription } from 'rxjs';
import type { ObjectRef, RelatedKind, WatchesOptions } from '../decorators/options.js';
import type { KubeClient } from '../kube/client.js';
import { objectKey, type KubeObject } from '../kube/object.js';
import { apiVersionOf, type ResourceRef } from '../kube/resource.js';
import type { Logger } from '../logging/logger.js';
import { ReferenceIndex } from '../related/reference-index.js';
import type { ControllerSpec } from '../registry.js';
import { resync$ } from '../timers/resync.js';
import type { ObjectEvent } from '../watch/events.js';
import { reflect } from '../watch/reflector.js';
import { Store } from '../watch/store.js';
import { watch$, type WatchHooks } from '../watch/watcher.js';
import { createContext, emptyPatch } from '../reconcile/context.js';
import { HandlerRunner } from '../reconcile/runner.js';
import { handlerApplies, sharedLabelSelector } from '../reconcile/filters.js';
import {
  ObjectProcessor,
  type WakeReason,
  type ProcessorDeps,
  type ProcessorSettings,
} from '../reconcile/object-processor.js';
import {
  processPerKey,
  type QueueOutcome,
  type RunResult,
  type SharedLimit,
} from '../reconcile/work-queue.js';
import { RelatedHandlers, type RelatedLookup } from '../related/related-handlers.js';
import { DaemonHandlers } from '../timers/daemon-handlers.js';
import { TimerHandlers } from '../timers/timer-handlers.js';
import type { Clock } from '../time/clock.js';

export interface ControllerLoopOptions {
  /** Namespaces to watch; empty means all (one cluster-wide watch). */
  namespaces: string[];
  concurrency: number;
  /** The operator-wide limit shared by every controller's queue. */
  limit?: SharedLimit;
  client: KubeClient;
  logger: Logger;
  fieldManager: string;
  shutdown: AbortSignal;
  /** Put every cached object through processing again this often (0: never). */
  resyncSeconds: number;
  /** Referenced kinds (by `${apiVersion}/${kind}`) and owned kinds, resolved to resources. */
  relatedResources: Map<string, ResourceRef>;
  ownedResources: ResourceRef[];
  /** @Watches kinds, resolved, with their map functions. */
  watchedResources?: WatchedResource[];
  /** Called once every namespace's initial list is in the cache. */
  onSynced?: () => void;
  /** Wraps each run, so the runtime can count in-flight work and drain it on shutdown. */
  track?: <T>(work: Promise<T>) => Promise<T>;
  onDepth?: (depth: number) => void;
  watchHooks?: WatchHooks;
}

export interface WatchedResource {
  resource: ResourceRef;
  map: WatchesOptions['map'];
}

export const relatedKindKey = (kind: RelatedKind) => `${kind.apiVersion}/${kind.kind}`;

/** Caches per watched scope: a relist of one namespace replaces only that namespace. */
class ScopedCache {
  private readonly stores = new Map<string | undefined, Store>();
  /** The state each object had before its newest change (for related handlers' `old`). */
  readonly previous = new Map<string, KubeObject | undefined>();

  storeFor(namespace: string | undefined): Store {
    let store = this.stores.get(namespace);
    if (!store) this.stores.set(namespace, (store = new Store()));
    return store;
  }

  get(key: string): KubeObject | undefined {
    const namespace = key.includes('/') ? key.slice(0, key.indexOf('/')) : undefined;
    return (this.stores.get(namespace) ?? this.stores.get(undefined))?.getByKey(key);
  }

  keys(): string[] {
    return this.all().map(objectKey);
  }

  all(): KubeObject[] {
    return [...this.stores.values()].flatMap((store) => store.list());
  }

  get size(): number {
    return [...this.stores.values()].reduce((sum, store) => sum + store.size, 0);
  }
}

export class ControllerLoop {
  private readonly cache = new ScopedCache();
  private readonly relatedCaches = new Map<string, ScopedCache>();
  private readonly indexes = new Map<string, ReferenceIndex>();
  /** Keys woken by something other than their own change (resync, children): run @Reconcile even on an echo. */
  private readonly forced = new Map<string, Exclude<WakeReason, 'change' | 'scheduled'>>();
  /** What the processor needs to see referenced objects. */
  readonly related: RelatedLookup = {
    lookup: (kind, namespace, name) =>
      this.relatedCaches.get(relatedKindKey(kind))?.get(namespace ? `${namespace}/${name}` : name),
    previous: (kind, namespace, name) =>
      this.relatedCaches.get(relatedKindKey(kind))?.previous.get(namespace ? `${namespace}/${name}` : name),
    index: (kind) => {
      const key = relatedKindKey(kind);
      let index = this.indexes.get(key);
      if (!index) this.indexes.set(key, (index = new ReferenceIndex()));
      return index;
    },
  };

  private subscription: Subscription | undefined;
  /** Every cache a run reads holds its initial list. */
  private ready = false;
  private markSynced: (scope: string) => void = () => {};
  private readonly processor: ObjectProcessor;
  private readonly daemons: DaemonHandlers;

  private readonly runner: HandlerRunner;
  private readonly clock: Clock | undefined;
  /** Lets the keys that arrived before every cache was ready through (in arrival order). */
  private releaseHeld: () => void = () => {};

  constructor(
    readonly spec: ControllerSpec,
    settings: ProcessorSettings,
    deps: ProcessorDeps,
    private readonly options: ControllerLoopOptions,
  ) {
    this.clock = deps.clock;
    // One runner for every handler kind of this controller: the only place they are called.
    this.runner = new HandlerRunner({
      shutdown: deps.shutdown,
      client: deps.client,
      onHandler: deps.hooks?.onHandler,
    });
    this.daemons = new DaemonHandlers(spec, this.runner, {
      client: options.client,
      logger: options.logger,
      fieldManager: options.fieldManager,
      latest: (key) => this.latest(key),
      clock: deps.clock,
    });
    this.processor = new ObjectProcessor(spec, settings, {
      ...deps,
      runner: this.runner,
      extensions: [
        new RelatedHandlers(spec.handlers, this.related, settings.keys.related, deps.clock),
        new TimerHandlers(spec.handlers, settings.keys.timers, deps.clock),
        this.daemons,
      ],
    });
  }

  latest(key: string): KubeObject | undefined {
    return this.cache.get(key);
  }

  get cachedCount(): number {
    return this.cache.size;
  }

  start(): void {
    const { spec, options } = this;
    const scopes = this.scopes(spec.resource);
    // Readiness and processing wait for every cache a run reads: the primary lists and those of
    // referenced kinds (a Secret not listed yet would look deleted to a related handler).
    const unsynced = new Set(scopes.map((namespace) => `primary ${namespace ?? ''}`));
    for (const id of this.relatedKindIds())
      for (const namespace of this.scopes(this.options.relatedResources.get(id) as ResourceRef))
        unsynced.add(`${id} ${namespace ?? ''}`);
    this.markSynced = (scope: string) => {
      if (!unsynced.delete(scope) || unsynced.size > 0) return;
      this.ready = true;
      options.onSynced?.();
      this.releaseHeld();
    };
    const labelSelector = sharedLabelSelector(
      spec.handlers.filter((h) => !['startup', 'cleanup'].includes(h.kind)).map((h) => h.options),
    );
    const events$ = merge(
      ...scopes.map((namespace) => {
        return watch$(options.client, spec.resource, {
          namespace,
          labelSelector,
          log: options.logger,
          hooks: options.watchHooks,
        }).pipe(
          reflect(this.cache.storeFor(namespace)),
          tap((event) => {
            if (event.type === 'synced') this.markSynced(`primary ${namespace ?? ''}`);
          }),
        );
      }),
    ).pipe(share());

    const rawHandlers$ = events$.pipe(mergeMap((event) => from(this.runEventHandlers(event))));
    const ownKeys$ = new Observable<string>((subscriber) =>
      events$.subscribe({
        next: (event) => {
          if (event.type === 'synced') return;
          const key = objectKey(event.object);
          if (event.type === 'delete') {
            this.processor.forget(key);
            void this.processor.disown(event.object);
          }
          subscriber.next(key);
        },
        error: (e: unknown) => subscriber.error(e),
      }),
    );
    const tagged = (keys$: Observable<string>, reason: Exclude<WakeReason, 'change' | 'scheduled'>) =>
      keys$.pipe(tap((key) => this.forced.set(key, reason)));
    const wakeUps$ = merge(
      tagged(this.relatedKeys$(), 'related'),
      tagged(this.ownedKeys$(), 'owned'),
      tagged(this.watchedKeys$(), 'watched'),
      tagged(this.resyncKeys$(), 'resync'),
    );
    const runs$ = this.untilReady(merge(ownKeys$, wakeUps$)).pipe(
      processPerKey((key) => this.run(key), {
        concurrency: options.concurrency,
        limit: options.limit,
        onDepth: options.onDepth,
        clock: this.clock,
      }),
      tap((outcome: QueueOutcome) => {
        if (outcome.error) {
          options.logger.error(`unexpected error while processing ${outcome.key}: ${String(outcome.error)}`);
        }
      }),
    );
    this.subscription = merge(rawHandlers$, runs$).subscribe();
  }

  /** Stops watching and queueing; runs already started finish on their own; daemons are cancelled. */
  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    await this.daemons.stopAll();
  }

  /** Holds keys until every cache a run reads is ready (no run could work before), then lets them through. */
  private untilReady(keys$: Observable<string>): Observable<string> {
    return new Observable<string>((subscriber) => {
      const held = new Set<string>();
      this.releaseHeld = () => {
        for (const key of held) subscriber.next(key);
        held.clear();
      };
      return keys$.subscribe({
        next: (key) => (this.ready ? subscriber.next(key) : held.add(key)),
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
  }

  private scopes(resource: ResourceRef): (string | undefined)[] {
    return resource.namespaced && this.options.namespaces.length ? this.options.namespaces : [undefined];
  }

  /** Watches each referenced kind; a change wakes the objects whose refs name it. */
  /** Referenced kinds the apiserver serves (resolved at start), by id. */
  private relatedKindIds(): string[] {
    const ids = new Set(
      this.spec.handlers.filter((h) => h.related).map((h) => relatedKindKey(h.related as RelatedKind)),
    );
    return [...ids].filter((id) => this.options.relatedResources.has(id));
  }

  private relatedKeys$(): Observable<string> {
    const kinds = new Map<string, RelatedKind>();
    for (const h of this.spec.handlers) if (h.related) kinds.set(relatedKindKey(h.related), h.related);
    return merge(
      ...[...kinds].map(([id, kind]) => {
        const resource = this.options.relatedResources.get(id);
        if (!resource) return EMPTY;
        const cache = new ScopedCache();
        this.relatedCaches.set(id, cache);
        return this.changes$(
          resource,
          (namespace) => cache.storeFor(namespace),
          (namespace) => this.markSynced(`${id} ${namespace ?? ''}`),
        ).pipe(
          mergeMap((event) => {
            if (event.type === 'synced') return [];
            const ref = objectKey(event.object);
            cache.previous.set(ref, event.type === 'delete' ? event.object : event.previous);
            return this.related
              .index(kind)
              .ownersOf(ref)
              .map((owner) => owner.slice(0, owner.lastIndexOf('#')));
          }),
        );
      }),
    );
  }

  /** Every change of a secondary kind, in each watched scope, reflected into a cache per scope. */
  private changes$(
    resource: ResourceRef,
    storeFor: (namespace: string | undefined) => Store = () => new Store(),
    onSynced: (namespace: string | undefined) => void = () => {},
  ): Observable<ObjectEvent> {
    return merge(
      ...this.scopes(resource).map((namespace) =>
        watch$(this.options.client, resource, {
          namespace,
          log: this.options.logger,
          hooks: this.options.watchHooks,
        }).pipe(
          reflect(storeFor(namespace)),
          tap((event) => event.type === 'synced' && onSynced(namespace)),
        ),
      ),
    );
  }

  /** Watches owned kinds; a changed or deleted child wakes its owner. */
  private ownedKeys$(): Observable<string> {
    const ownerApiVersion = apiVersionOf(this.spec.resource);
    return merge(
      ...this.options.ownedResources.map((resource) =>
        this.changes$(resource).pipe(
          mergeMap((event) => {
            if (event.type === 'synced') return [];
            const child = event.object;
            return (child.metadata.ownerReferences ?? [])
              .filter((ref) => ref.kind === this.spec.resource.kind && ref.apiVersion === ownerApiVersion)
              .map((ref) =>
                child.metadata.namespace ? `${child.metadata.namespace}/${ref.name}` : ref.name,
              );
          }),
        ),
      ),
    );
  }

  /** Watches @Watches kinds; a change wakes the objects the kind's map function returns. */
  private watchedKeys$(): Observable<string> {
    return merge(
      ...(this.options.watchedResources ?? []).map(({ resource, map }) =>
        this.changes$(resource).pipe(
          mergeMap((event) => {
            if (event.type === 'synced') return [];
            const namespace = event.object.metadata.namespace;
            const ours = this.cache
              .all()
              .filter(
                (o) => !this.spec.resource.namespaced || !namespace || o.metadata.namespace === namespace,
              );
            try {
              return map(event.object, ours).map((o) => keyOf(o));
            } catch (error) {
              this.options.logger.error(
                `@Watches(${resource.kind}) map failed for ${objectKey(event.object)}: ${String(error)}`,
              );
              return [];
            }
          }),
        ),
      ),
    );
  }

  private resyncKeys$(): Observable<string> {
    return this.options.resyncSeconds > 0
      ? resync$(() => this.cache.keys(), this.options.resyncSeconds, this.clock)
      : EMPTY;
  }

  private run(key: string): Promise<RunResult | void> {
    const object = this.cache.get(key);
    const woken = this.forced.get(key);
    this.forced.delete(key);
    if (!object) return Promise.resolve();
    const work = this.processor.process(key, object, woken).catch((error: unknown): RunResult => {
      this.options.logger.error(
        `processing ${key} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      return { requeueAfterMs: 5_000 };
    });
    return this.options.track ? this.options.track(work) : work;
  }

  private async runEventHandlers(event: ObjectEvent): Promise<void> {
    if (event.type === 'synced') return;
    const handlers = this.spec.handlers.filter(
      (h) => h.kind === 'event' && handlerApplies(h.options, event.object),
    );
    const type = event.type === 'delete' ? 'DELETED' : event.previous ? 'MODIFIED' : 'ADDED';
    for (const handler of handlers) {
      const object: KubeObject = event.object;
      const logger = this.options.logger.child({
        namespace: object.metadata.namespace,
        name: object.metadata.name,
        handler: handler.id,
        event: type,
      });
      try {
        const { outcome } = await this.runner.invoke({
          owner: this.spec.instance,
          handler,
          retry: 0,
          context: (signal) => ({
            ...createContext({
              object,
              resource: this.spec.resource,
              cause: 'event',
              old: event.type === 'upsert' ? event.previous : undefined,
              new: object,
              diff: [],
              retry: 0,
              logger,
              signal,
              patch: emptyPatch(),
              client: this.options.client,
              fieldManager: this.options.fieldManager,
            }),
            type,
          }),
        });
        if (outcome.kind !== 'success')
          logger.warn(`event handler failed (not retried): ${errorText(outcome.error)}`);
      } catch (error) {
        logger.debug(`event handler not run: ${errorText(error)}`);
      }
    }
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A mapped object's queue key: an object of ours, or a name. */
function keyOf(o: KubeObject | ObjectRef): string {
  return 'metadata' in o ? objectKey(o) : o.namespace ? `${o.namespace}/${o.name}` : o.name;
}
