// The pipeline of one controller, top to bottom:
//   watch$ (list, then watch, per namespace) -> reflect into the cache -> raw-event handlers
//   -> one key per changed object -> per-object queue (serialised, coalesced, bounded) -> process.
import { from, merge, mergeMap, Observable, share, tap, type Subscription } from 'rxjs';
import type { KubeClient } from '../kube/client.js';
import { objectKey, type KubeObject } from '../kube/object.js';
import type { Logger } from '../logging/logger.js';
import type { ControllerSpec } from '../registry.js';
import type { ObjectEvent } from '../watch/events.js';
import { reflect } from '../watch/reflector.js';
import { Store } from '../watch/store.js';
import { watch$ } from '../watch/watcher.js';
import { createContext, emptyPatch } from './context.js';
import { handlerApplies, sharedLabelSelector } from './filters.js';
import type { ObjectProcessor } from './object-processor.js';
import { processPerKey, type QueueOutcome, type RunResult } from './work-queue.js';

export interface ControllerLoopOptions {
  /** Namespaces to watch; empty means all (one cluster-wide watch). */
  namespaces: string[];
  concurrency: number;
  client: KubeClient;
  logger: Logger;
  fieldManager: string;
  shutdown: AbortSignal;
  /** Called once every namespace's initial list is in the cache. */
  onSynced?: () => void;
  /** Wraps each run, so the runtime can count in-flight work and drain it on shutdown. */
  track?: <T>(work: Promise<T>) => Promise<T>;
  onDepth?: (depth: number) => void;
}

export class ControllerLoop {
  /** One cache per watched namespace (or one for all): a relist replaces only its own scope. */
  private readonly stores = new Map<string | undefined, Store>();
  private subscription: Subscription | undefined;

  constructor(
    readonly spec: ControllerSpec,
    private readonly processor: ObjectProcessor,
    private readonly options: ControllerLoopOptions,
  ) {}

  start(): void {
    const { spec, options } = this;
    const labelSelector = sharedLabelSelector(spec.handlers.map((h) => h.options));
    const scopes = spec.resource.namespaced && options.namespaces.length ? options.namespaces : [undefined];
    let unsynced = scopes.length;
    const events$ = merge(
      ...scopes.map((namespace) => {
        let synced = false;
        return watch$(options.client, spec.resource, { namespace, labelSelector, log: options.logger }).pipe(
          reflect(this.storeFor(namespace)),
          tap((event) => {
            if (event.type === 'synced' && !synced) {
              synced = true;
              if (--unsynced === 0) options.onSynced?.();
            }
          }),
        );
      }),
    ).pipe(share());

    const rawHandlers$ = events$.pipe(mergeMap((event) => from(this.runEventHandlers(event))));
    const keys$ = new Observable<string>((subscriber) =>
      events$.subscribe({
        next: (event) => {
          if (event.type === 'synced') return;
          const key = objectKey(event.object);
          if (event.type === 'delete') this.processor.forget(key);
          subscriber.next(key);
        },
        error: (e: unknown) => subscriber.error(e),
      }),
    );
    const runs$ = keys$.pipe(
      processPerKey((key) => this.run(key), { concurrency: options.concurrency, onDepth: options.onDepth }),
      tap((outcome: QueueOutcome) => {
        if (outcome.error) {
          options.logger.error(`unexpected error while processing ${outcome.key}: ${String(outcome.error)}`, {
            controller: spec.name,
          });
        }
      }),
    );
    this.subscription = merge(rawHandlers$, runs$).subscribe();
  }

  /** Stops watching and queueing; runs already started finish on their own. */
  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  /** Objects cached across every scope. */
  get cachedCount(): number {
    return [...this.stores.values()].reduce((sum, store) => sum + store.size, 0);
  }

  private storeFor(namespace: string | undefined): Store {
    let store = this.stores.get(namespace);
    if (!store) this.stores.set(namespace, (store = new Store()));
    return store;
  }

  private cached(key: string): KubeObject | undefined {
    const namespace = key.includes('/') ? key.slice(0, key.indexOf('/')) : undefined;
    return (this.stores.get(namespace) ?? this.stores.get(undefined))?.getByKey(key);
  }

  private run(key: string): Promise<RunResult | void> {
    const object = this.cached(key);
    if (!object) return Promise.resolve();
    const work = this.processor.process(key, object).catch((error: unknown): RunResult => {
      this.options.logger.error(
        `processing ${key} failed: ${error instanceof Error ? error.message : String(error)}`,
        {
          controller: this.spec.name,
        },
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
        const method = (this.spec.instance as Record<string, (ctx: unknown, type: string) => unknown>)[
          handler.method
        ];
        const context = createContext({
          object,
          resource: this.spec.resource,
          cause: 'event',
          old: event.type === 'upsert' ? event.previous : undefined,
          new: object,
          diff: [],
          retry: 0,
          logger,
          signal: this.options.shutdown,
          patch: emptyPatch(),
          client: this.options.client,
          fieldManager: this.options.fieldManager,
        });
        await method?.call(this.spec.instance, { ...context, type }, type);
      } catch (error) {
        logger.warn(
          `event handler failed (not retried): ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
}
