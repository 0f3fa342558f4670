// The pipeline of one controller, top to bottom:
//   primary informers (one per namespace; list, then watch) -> raw-event handlers
//   -> one key per changed object -> per-object queue (serialised, coalesced, bounded) -> process.
// Beside it, secondary informers wake objects by key: referenced kinds (through the reference
// index), owned children (through their ownerReferences), watched kinds (through their map
// function), and the periodic resync. Every informer comes from the Operator's factory, so a
// kind in a namespace is watched and cached once however many controllers and uses read it;
// owned and watched kinds are cached metadata-only (their readers need no more).
import {
  connectable,
  EMPTY,
  filter,
  from,
  map,
  merge,
  mergeMap,
  Observable,
  Subject,
  tap,
  type Subscription,
} from 'rxjs';
import type { ObjectRef, RelatedKind, WatchesOptions } from '../decorators/options.js';
import type { KubeClient } from '../kube/client.js';
import { objectKey, type KubeObject } from '../kube/object.js';
import { apiVersionOf, type ResourceRef } from '../kube/resource.js';
import type { Logger } from '../logging/logger.js';
import { PreviousStates } from '../related/previous-states.js';
import { ReferenceIndex } from '../related/reference-index.js';
import type { ControllerSpec } from '../registry.js';
import { resync$ } from '../timers/resync.js';
import type { ObjectEvent } from '../watch/events.js';
import type { Informer, InformerContent } from '../watch/informer.js';
import type { InformerFactory } from '../watch/informer-factory.js';
import { metadataOnly } from '../watch/slim.js';
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
  moreUrgent,
  processPerKey,
  type Priority,
  type QueuedKey,
  type QueueOutcome,
  type RunResult,
  type SharedLimit,
} from '../reconcile/work-queue.js';
import { RelatedHandlers, type RelatedLookup } from '../related/related-handlers.js';
import { DaemonHandlers } from '../timers/daemon-handlers.js';
import { SyncGate } from './sync-gate.js';
import { TimerHandlers } from '../timers/timer-handlers.js';
import { type Clock, realClock } from '../time/clock.js';
import type { ShardOwner } from '../sharding/shard-owner.js';

export interface ControllerLoopOptions {
  /** Namespaces to watch; empty means all (one cluster-wide watch). */
  namespaces: string[];
  concurrency: number;
  /** The operator-wide limit shared by every controller's queue. */
  limit?: SharedLimit;
  client: KubeClient;
  /** The operator's shared watches and caches. */
  informers: InformerFactory;
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
  /** Sharding: this replica's share of the primaries, and how it lets one go (absent: all are ours). */
  shard?: ShardOwner;
}

export interface WatchedResource {
  resource: ResourceRef;
  map: WatchesOptions['map'];
}

export const relatedKindKey = (kind: RelatedKind) => `${kind.apiVersion}/${kind.kind}`;

/** The label selector every handler of a controller shares (its primaries are watched by it). */
export const handlersLabelSelector = (spec: ControllerSpec): string | undefined =>
  sharedLabelSelector(
    spec.handlers.filter((h) => !['startup', 'cleanup'].includes(h.kind)).map((h) => h.options),
  );

/** How metrics and messages name a resource: `plural.group` (`core` for the core group). */
export const resourceLabel = (resource: ResourceRef) => `${resource.plural}.${resource.group || 'core'}`;

/** One kind's informers, one per watched scope (a namespace, or all of them). */
class ScopedInformers {
  constructor(readonly byScope: Map<string | undefined, Informer>) {}

  get(key: string): KubeObject | undefined {
    const namespace = key.includes('/') ? key.slice(0, key.indexOf('/')) : undefined;
    return (this.byScope.get(namespace) ?? this.byScope.get(undefined))?.cache.getByKey(key);
  }

  /** The objects of one namespace, from that namespace's cache (or the cluster-wide one's index). */
  inNamespace(namespace: string): KubeObject[] {
    return (this.byScope.get(namespace) ?? this.byScope.get(undefined))?.cache.inNamespace(namespace) ?? [];
  }

  all(): KubeObject[] {
    return [...this.byScope.values()].flatMap((informer) => informer.cache.list());
  }

  keys(): string[] {
    return this.all().map(objectKey);
  }

  get size(): number {
    return [...this.byScope.values()].reduce((sum, informer) => sum + informer.cache.size, 0);
  }
}

export class ControllerLoop {
  private readonly cache: ScopedInformers;
  private readonly relatedCaches = new Map<
    string,
    { informers: ScopedInformers; previous: PreviousStates }
  >();
  private readonly owned: ScopedInformers[];
  private readonly watched: {
    informers: ScopedInformers;
    resource: ResourceRef;
    map: WatchedResource['map'];
  }[];
  private readonly indexes = new Map<string, ReferenceIndex>();
  /** Keys woken by something other than their own change (resync, children): run @Reconcile even on an echo. */
  private readonly forced = new Map<string, Exclude<WakeReason, 'change' | 'scheduled'>>();
  /** What the processor needs to see referenced objects. */
  readonly related: RelatedLookup = {
    lookup: (kind, namespace, name) =>
      this.relatedCaches.get(relatedKindKey(kind))?.informers.get(namespace ? `${namespace}/${name}` : name),
    previous: (kind, namespace, name) =>
      this.relatedCaches.get(relatedKindKey(kind))?.previous.get(namespace ? `${namespace}/${name}` : name),
    settle: (kind, ref, slot) => this.relatedCaches.get(relatedKindKey(kind))?.previous.settle(ref, slot),
    index: (kind) => {
      const key = relatedKindKey(kind);
      let index = this.indexes.get(key);
      if (!index) this.indexes.set(key, (index = new ReferenceIndex()));
      return index;
    },
  };

  private subscription: Subscription | undefined;
  /** The caches a run reads that do not hold their initial list yet, by namespace. */
  private readonly gate = new SyncGate();
  private markSynced: (scope: string) => void = () => {};
  private readonly processor: ObjectProcessor;
  private readonly daemons: DaemonHandlers;

  private readonly runner: HandlerRunner;
  private readonly clock: Clock | undefined;
  /** Lets the held keys whose namespace became ready through (in arrival order). */
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
        new RelatedHandlers(spec.handlers, this.related, settings.keys.related),
        new TimerHandlers(spec.handlers, settings.keys.timers),
        this.daemons,
      ],
    });
    // Informers are taken here, before any loop starts: each then holds the richest content
    // any of its readers needs from its first list on.
    const handlersSelector = handlersLabelSelector(spec);
    // Sharded: only this replica's share is listed, watched and cached.
    const labelSelector = [handlersSelector, options.shard?.selector].filter(Boolean).join(',') || undefined;
    this.cache = this.informersOf(spec.resource, 'full', labelSelector);
    for (const id of this.relatedKindIds())
      this.relatedCaches.set(id, {
        informers: this.informersOf(options.relatedResources.get(id) as ResourceRef, 'full'),
        previous: new PreviousStates(),
      });
    this.owned = options.ownedResources.map((resource) => this.informersOf(resource, 'metadata'));
    this.watched = (options.watchedResources ?? []).map(({ resource, map }) => ({
      informers: this.informersOf(resource, 'metadata'),
      resource,
      map,
    }));
  }

  latest(key: string): KubeObject | undefined {
    return this.cache.get(key);
  }

  get cachedCount(): number {
    return this.cache.size;
  }

  /** States of referenced objects kept for related handlers' `old` (bounded: see previous-states.ts). */
  get previousStatesCount(): number {
    return [...this.relatedCaches.values()].reduce((sum, cache) => sum + cache.previous.size, 0);
  }

  start(): void {
    const { options } = this;
    // Readiness and processing wait for every cache a run reads: the primary lists and those of
    // referenced kinds (a Secret not listed yet would look deleted to a related handler), per
    // namespace: one that cannot sync holds up only its own objects.
    const wait = (id: string, informers: ScopedInformers) => {
      for (const [namespace, informer] of informers.byScope)
        this.gate.wait(`${id} ${namespace ?? ''}`, resourceLabel(informer.scope.resource), namespace);
    };
    wait('primary', this.cache);
    for (const [id, { informers }] of this.relatedCaches) wait(id, informers);
    this.markSynced = (scope: string) => {
      if (this.gate.synced(scope)) options.onSynced?.();
      this.releaseHeld();
    };
    // Connected once both readers below subscribed: an informer that already holds its list
    // replays it synchronously on subscription, and both must see that replay.
    const events$ = connectable(
      merge(
        ...[...this.cache.byScope].map(([namespace, informer]) =>
          informer.events$.pipe(
            tap((event) => {
              if (event.type === 'synced') this.markSynced(`primary ${namespace ?? ''}`);
            }),
          ),
        ),
      ),
      { connector: () => new Subject<ObjectEvent>(), resetOnDisconnect: false },
    );

    const rawHandlers$ = events$.pipe(mergeMap((event) => from(this.runEventHandlers(event))));
    // An object's own change goes first; what arrives before every cache is ready is the
    // initial list, which waits behind changes and wake-ups (without starving).
    const ownKeys$ = new Observable<QueuedKey>((subscriber) =>
      events$.subscribe({
        next: (event) => {
          if (event.type === 'synced') return;
          const key = objectKey(event.object);
          if (event.type === 'delete') {
            this.processor.forget(key);
            // Handed over to another replica: it still is the operator's, and not deleted.
            if (!options.shard?.leftByHandover(key)) void this.processor.disown(event.object);
          }
          // A drain request waits for no other work: another replica waits for this one.
          const handover = event.type === 'upsert' && options.shard?.decide(event.object) === 'drain';
          subscriber.next({
            key,
            priority: handover ? 'handover' : this.readyFor(key) ? 'change' : 'background',
          });
        },
        error: (e: unknown) => subscriber.error(e),
      }),
    );
    const tagged = (keys$: Observable<string>, reason: Exclude<WakeReason, 'change' | 'scheduled'>) =>
      keys$.pipe(
        // Sharded: a secondary change wakes only primaries this replica owns (its cache holds no other).
        filter((key) => !options.shard || this.cache.get(key) !== undefined),
        tap((key) => this.forced.set(key, reason)),
        map((key): QueuedKey => ({ key, priority: reason === 'resync' ? 'background' : 'wake-up' })),
      );
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
    this.subscription.add(events$.connect());
  }

  /** Stops watching and queueing; runs already started finish on their own; daemons are cancelled. */
  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    await this.daemons.stopAll();
  }

  /** The caches this controller still waits for (`kind in namespace`). */
  get pendingCaches(): string[] {
    return this.gate.pending;
  }

  /** Holds keys until the caches a run of them reads are ready (no run could work before), then lets them through. */
  private untilReady(keys$: Observable<QueuedKey>): Observable<QueuedKey> {
    return new Observable<QueuedKey>((subscriber) => {
      const held = new Map<string, Priority>();
      this.releaseHeld = () => {
        for (const [key, priority] of held)
          if (this.readyFor(key)) {
            held.delete(key);
            subscriber.next({ key, priority });
          }
      };
      const hold = ({ key, priority }: QueuedKey) => {
        const before = held.get(key);
        if (before === undefined || moreUrgent(priority, before)) held.set(key, priority);
      };
      return keys$.subscribe({
        next: (item) => (this.readyFor(item.key) ? subscriber.next(item) : hold(item)),
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
  }

  /** May this key run: do the caches its run reads hold their lists in its namespace? */
  private readyFor(key: string): boolean {
    return this.gate.readyFor(key.includes('/') ? key.slice(0, key.indexOf('/')) : undefined);
  }

  /** The shared informers of a kind, one per namespace served (or one for all). */
  private informersOf(
    resource: ResourceRef,
    content: InformerContent,
    labelSelector?: string,
  ): ScopedInformers {
    const scopes =
      resource.namespaced && this.options.namespaces.length ? this.options.namespaces : [undefined];
    return new ScopedInformers(
      new Map(
        scopes.map((namespace) => [
          namespace,
          this.options.informers.informer({ resource, namespace, labelSelector }, content),
        ]),
      ),
    );
  }

  /** Referenced kinds the apiserver serves (resolved at start), by id. */
  private relatedKindIds(): string[] {
    const ids = new Set(
      this.spec.handlers.filter((h) => h.related).map((h) => relatedKindKey(h.related as RelatedKind)),
    );
    return [...ids].filter((id) => this.options.relatedResources.has(id));
  }

  /** Every change of a kind in each served scope (events of the shared informers). */
  private changes$(
    informers: ScopedInformers,
    onSynced: (namespace: string | undefined) => void = () => {},
  ): Observable<ObjectEvent> {
    return merge(
      ...[...informers.byScope].map(([namespace, informer]) =>
        informer.events$.pipe(tap((event) => event.type === 'synced' && onSynced(namespace))),
      ),
    );
  }

  /** A change of a referenced object wakes the objects whose refs name it. */
  private relatedKeys$(): Observable<string> {
    const kinds = new Map<string, RelatedKind>();
    for (const h of this.spec.handlers) if (h.related) kinds.set(relatedKindKey(h.related), h.related);
    return merge(
      ...[...this.relatedCaches].map(([id, { informers, previous }]) => {
        const kind = kinds.get(id) as RelatedKind;
        return this.changes$(informers, (namespace) => this.markSynced(`${id} ${namespace ?? ''}`)).pipe(
          mergeMap((event) => {
            if (event.type === 'synced') return [];
            const ref = objectKey(event.object);
            const slots = this.related.index(kind).ownersOf(ref);
            // Only what a referrer still has to see is kept (deleted objects included, until then).
            previous.record(ref, event.type === 'delete' ? event.object : event.previous, slots);
            return slots.map((slot) => slot.slice(0, slot.lastIndexOf('#')));
          }),
        );
      }),
    );
  }

  /** A changed or deleted child wakes its owner (children are cached metadata-only). */
  private ownedKeys$(): Observable<string> {
    const ownerApiVersion = apiVersionOf(this.spec.resource);
    return merge(
      ...this.owned.map((informers) =>
        this.changes$(informers).pipe(
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

  /**
   * A change of a @Watches kind wakes the objects its map returns. The map gets the changed
   * object's metadata (it is cached metadata-only) and the controller's objects of its
   * namespace, from that namespace's cache: no scan of the others.
   */
  private watchedKeys$(): Observable<string> {
    return merge(
      ...this.watched.map(({ informers, resource, map }) =>
        this.changes$(informers).pipe(
          mergeMap((event) => {
            if (event.type === 'synced') return [];
            const namespace = event.object.metadata.namespace;
            const ours =
              this.spec.resource.namespaced && namespace
                ? this.cache.inNamespace(namespace)
                : this.cache.all();
            try {
              return map(metadataOnly(event.object), ours).map((o) => keyOf(o));
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
    const shard = this.options.shard?.decide(object);
    if (shard === 'skip') return Promise.resolve();
    if (shard === 'drain') return this.track(this.drain(key, object));
    const work = this.processor.process(key, object, woken).catch((error: unknown): RunResult => {
      this.options.logger.error(
        `processing ${key} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      return { requeueAfterMs: 5_000 };
    });
    return this.track(work);
  }

  private track<T>(work: Promise<T>): Promise<T> {
    return this.options.track ? this.options.track(work) : work;
  }

  /**
   * Lets go of an object the sharder moves elsewhere. Its turn in the queue means no run of it
   * is in flight; its daemons are stopped and what the processor remembers of it dropped, then
   * the acknowledgement hands it over. Its progress is on the object: the new owner resumes.
   */
  private async drain(key: string, object: KubeObject): Promise<RunResult | void> {
    this.forced.delete(key);
    await this.processor.release(key);
    try {
      await this.options.shard?.acknowledge(this.spec.resource, object, this.spec.name);
    } catch (error) {
      this.options.logger.warn(`could not acknowledge the drain of ${key}: ${errorText(error)}`);
      return { requeueAfterMs: 1_000 };
    }
  }

  private async runEventHandlers(event: ObjectEvent): Promise<void> {
    if (event.type === 'synced') return;
    // Sharded: an object handed over leaves this replica's watch as a delete; it was not deleted.
    const shard = this.options.shard;
    if (shard) {
      const key = objectKey(event.object);
      if (event.type === 'delete' && shard.leftByHandover(key)) return;
      if (event.type === 'upsert') shard.seen(event.object);
    }
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
              clock: this.clock ?? realClock,
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
