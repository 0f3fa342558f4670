// The sharder: one replica at a time (elected on the `<name>-sharder` Lease, see
// runtime/operator.ts) keeps every primary object labelled with the replica that owns it.
// It watches the member Leases (membership.ts) and every primary object (metadata only, all
// of them, whatever their labels), hashes each object onto the ring of live members
// (hash-ring.ts) and carries out handoff.ts's decision for it: assign, drain, move at once
// from a dead owner, or wait for a drain's acknowledgement.
// - Nothing is decided before both the Leases and the objects are listed (an unlisted Lease
//   would look dead), nor before the expected replicas joined on a cold start (settle).
// - Every write is a label merge patch conditioned on the resourceVersion it was decided from;
//   at most one write per object is in flight, and a decision is never repeated on the version
//   it was made from.
// - A move away from an owner whose Lease looks expired first reads that Lease afresh.
// Fails: 409 (the object changed) and 404 (it is gone) end a write quietly, the newer version
// is decided on when the watch brings it; other errors are logged and the object is decided
// again after a backoff (1 s doubling to 30 s). The client's write gate refuses every write
// once this replica is no longer the sharder or its member Lease lapsed.
import type { Subscription } from 'rxjs';
import type { KubeClient } from '../kube/client.js';
import { isApiError } from '../kube/errors.js';
import type { EventRecorder } from '../kube/events.js';
import { objectKey, type KubeObject } from '../kube/object.js';
import { apiVersionOf, type ResourceRef } from '../kube/resource.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../time/clock.js';
import type { Informer } from '../watch/informer.js';
import type { InformerFactory } from '../watch/informer-factory.js';
import { sharderAction, shardLabelsOf } from './handoff.js';
import { HashRing, shardKeyOf, type ShardKey } from './hash-ring.js';
import type { MemberLeases } from './membership.js';
import type { ShardMetrics } from './shard-metrics.js';
import type { ShardNames } from './shard-names.js';

export interface ShardedResource {
  resource: ResourceRef;
  /** The selector its controllers watch by (their handlers' shared label filter), if any. */
  labelSelector?: string;
}

export interface SharderSettings {
  operatorName: string;
  names: ShardNames;
  key: ShardKey;
  /** Served namespaces; empty: all. */
  namespaces: string[];
  resources: ShardedResource[];
  /** Replicas a cold start waits for (undefined: only the settle time). */
  expectedReplicas: number | undefined;
  settleMs: number;
  /** Label writes in flight at once (default 16). */
  concurrency?: number;
}

export interface SharderDeps {
  /** The member Leases, watched by every replica all along (so a new sharder knows their history). */
  members: MemberLeases;
  /** Writes through this client must be gated on being the sharder (and a live member). */
  client: KubeClient;
  informers: InformerFactory;
  events: EventRecorder;
  logger: Logger;
  clock: Clock;
  metrics: ShardMetrics;
}

interface Scope {
  resource: ResourceRef;
  label: string;
  informer: Informer;
}

export class Sharder {
  private ring = new HashRing([]);
  private readonly scopes: Scope[] = [];
  private readonly subscriptions: Subscription[] = [];
  private readonly syncedScopes = new Set<Scope>();
  private startedAt = 0;
  private settled = false;
  private stopped = false;
  /** One write per object (by uid) at a time. */
  private readonly writing = new Set<string>();
  /** The version a finished write was decided from: not decided on again. */
  private readonly decidedOn = new Map<string, string | undefined>();
  /** Drains asked for (by uid): whom, and since when. */
  private readonly drains = new Map<string, { owner: string; since: number }>();
  /** Objects whose last write failed: decided again only once their backoff is over. */
  private readonly failures = new Map<string, { count: number; due: boolean; cancel: () => void }>();
  private readonly cancels: (() => void)[] = [];
  private readonly confirming = new Map<string, Promise<boolean>>();
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly settings: SharderSettings,
    private readonly deps: SharderDeps,
  ) {}

  private get members(): MemberLeases {
    return this.deps.members;
  }

  start(): void {
    const { settings, deps } = this;
    this.startedAt = deps.clock.now();
    deps.metrics.sharder.set(1);
    deps.metrics.objectCounts = () => this.objectCounts();
    for (const { resource, labelSelector } of settings.resources) {
      const namespaces =
        resource.namespaced && settings.namespaces.length ? settings.namespaces : [undefined];
      for (const namespace of namespaces)
        this.scopes.push({
          resource,
          label: `${resource.plural}.${resource.group || 'core'}`,
          informer: deps.informers.informer({ resource, namespace, labelSelector }, 'metadata'),
        });
    }
    this.membersChanged();
    for (const scope of this.scopes)
      this.subscriptions.push(
        scope.informer.events$.subscribe((event) => {
          if (event.type === 'synced') {
            this.syncedScopes.add(scope);
            this.decideAll();
          } else if (event.type === 'delete') this.forget(event.object.metadata.uid ?? '');
          else this.decide(scope, event.object);
        }),
      );
    this.cancels.push(deps.clock.setTimer(settings.settleMs, () => this.decideAll()));
    deps.logger.info('running the sharder', { resources: this.scopes.map((s) => s.label) });
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.subscriptions) s.unsubscribe();
    for (const cancel of this.cancels) cancel();
    for (const { cancel } of this.failures.values()) cancel();
    this.deps.metrics.sharder.set(0);
    this.deps.metrics.objectCounts = () => [];
    this.deps.logger.info('stopped the sharder');
  }

  private get ready(): boolean {
    return !this.stopped && this.members.synced && this.syncedScopes.size === this.scopes.length;
  }

  /** The live member set changed (or the Leases were listed): everything is decided again. */
  membersChanged(): void {
    if (this.stopped) return;
    const live = this.members.live();
    this.ring = new HashRing(live);
    this.deps.metrics.members.set(live.length);
    this.deps.logger.info('shard members changed', { members: live });
    this.decideAll();
  }

  private decideAll(): void {
    if (!this.ready) return;
    // Looks at every object once for an earlier sharder's labels before deciding any of them.
    this.isSettled(true);
    for (const scope of this.scopes)
      for (const object of scope.informer.cache.list()) this.decide(scope, object);
  }

  /**
   * Settled once the expected replicas are live, the settle time passed, or a former sharder
   * already assigned objects (`scan`: look through the caches for that; per object it is not).
   */
  private isSettled(scan = false): boolean {
    if (this.settled) return true;
    const { expectedReplicas, settleMs, names } = this.settings;
    this.settled =
      this.members.live().length >= (expectedReplicas ?? Infinity) ||
      this.deps.clock.now() >= this.startedAt + settleMs ||
      (scan &&
        this.scopes.some((s) => s.informer.cache.list().some((o) => o.metadata.labels?.[names.shardLabel])));
    if (this.settled) this.deps.logger.info('shard members settled', { members: this.members.live() });
    return this.settled;
  }

  private decide(scope: Scope, object: KubeObject): void {
    if (!this.ready) return;
    const { uid = '', resourceVersion } = object.metadata;
    if (this.writing.has(uid) || this.failures.get(uid)?.due === false) return;
    if (this.decidedOn.has(uid) && this.decidedOn.get(uid) === resourceVersion) return;
    this.decidedOn.delete(uid);
    const { names, key } = this.settings;
    const labels = shardLabelsOf(object.metadata.labels, names);
    const now = this.deps.clock.now();
    const action = sharderAction({
      labels,
      desired: this.ring.ownerOf(shardKeyOf(object, key)),
      leases: this.members.leases,
      now,
      settled: this.isSettled(),
    });
    switch (action.kind) {
      case 'none':
        return;
      case 'wait-drain':
        if (!this.drains.has(uid)) this.drains.set(uid, { owner: action.owner, since: now });
        return;
      case 'drain':
        this.write(scope, object, { [names.drainLabel]: action.owner }, () =>
          this.drains.set(uid, { owner: action.owner, since: now }),
        );
        return;
      case 'assign': {
        const drained = this.drains.get(uid);
        this.write(scope, object, { [names.shardLabel]: action.to, [names.drainLabel]: null }, () => {
          this.drains.delete(uid);
          if (!drained) return;
          const ms = this.deps.clock.now() - drained.since;
          this.deps.metrics.drainSeconds.observe({ resource: scope.label }, ms / 1000);
          this.moved(
            scope,
            object,
            drained.owner,
            action.to,
            'rebalance',
            `${drained.owner} drained it in ${ms} ms`,
          );
        });
        return;
      }
      case 'move':
        this.writing.add(uid);
        void this.confirmGone(action.from).then((gone) => {
          this.writing.delete(uid);
          if (this.stopped) return;
          // Renewed after all (the member set changed and everything is decided again), or
          // unreadable: decided again after a backoff either way.
          if (!gone) return this.retryLater(scope, object);
          this.write(scope, object, { [names.shardLabel]: action.to, [names.drainLabel]: null }, () => {
            this.drains.delete(uid);
            this.moved(
              scope,
              object,
              action.from,
              action.to,
              'owner-gone',
              `the Lease of ${action.from} expired`,
            );
          });
        });
        return;
    }
  }

  private confirmGone(member: string): Promise<boolean> {
    let confirming = this.confirming.get(member);
    if (!confirming) {
      confirming = this.members.confirmGone(member).finally(() => this.confirming.delete(member));
      this.confirming.set(member, confirming);
    }
    return confirming;
  }

  private moved(
    scope: Scope,
    object: KubeObject,
    from: string,
    to: string,
    reason: string,
    why: string,
  ): void {
    this.deps.metrics.moves.inc({ resource: scope.label, reason });
    this.deps.logger.info(`moved ${objectKey(object)} from ${from} to ${to}: ${why}`);
    void this.deps.events.post(
      { ...object, apiVersion: apiVersionOf(scope.resource), kind: scope.resource.kind },
      { type: 'Normal', reason: 'ShardMoved', action: 'Shard', note: `moved from ${from} to ${to}: ${why}` },
    );
  }

  private write(
    scope: Scope,
    object: KubeObject,
    labels: Record<string, string | null>,
    done: () => void,
  ): void {
    const { uid = '', namespace, name = '', resourceVersion } = object.metadata;
    this.writing.add(uid);
    void this.slot(() =>
      this.deps.client.mergePatch(scope.resource, namespace, name, { metadata: { resourceVersion, labels } }),
    )
      .then(
        () => {
          this.failures.delete(uid);
          this.decidedOn.set(uid, resourceVersion);
          done();
        },
        (error: unknown) => {
          if (isApiError(error, 409) || isApiError(error, 404)) {
            this.decidedOn.set(uid, resourceVersion);
            return;
          }
          if (this.stopped) return;
          this.deps.logger.warn(`could not label ${objectKey(object)}: ${String(error)}`);
          this.retryLater(scope, object);
        },
      )
      .finally(() => {
        this.writing.delete(uid);
        // The watch may have brought a newer version while the write was in flight.
        const latest = scope.informer.cache.getByKey(objectKey(object));
        if (latest) this.decide(scope, latest);
      });
  }

  private retryLater(scope: Scope, object: KubeObject): void {
    const uid = object.metadata.uid ?? '';
    const count = (this.failures.get(uid)?.count ?? 0) + 1;
    const failure = { count, due: false, cancel: () => {} };
    failure.cancel = this.deps.clock.setTimer(Math.min(1000 * 2 ** (count - 1), 30_000), () => {
      failure.due = true;
      const latest = scope.informer.cache.getByKey(objectKey(object));
      if (latest) this.decide(scope, latest);
    });
    this.failures.set(uid, failure);
  }

  private forget(uid: string): void {
    this.decidedOn.delete(uid);
    this.drains.delete(uid);
    this.failures.get(uid)?.cancel();
    this.failures.delete(uid);
  }

  /** Runs `fn` when fewer than `concurrency` writes are in flight. */
  private async slot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= (this.settings.concurrency ?? 16))
      await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }

  private objectCounts(): { resource: string; shard: string; count: number }[] {
    const counts = new Map<string, { resource: string; shard: string; count: number }>();
    for (const scope of this.scopes)
      for (const object of scope.informer.cache.list()) {
        const shard = object.metadata.labels?.[this.settings.names.shardLabel] ?? '';
        const id = `${scope.label} ${shard}`;
        const entry = counts.get(id) ?? { resource: scope.label, shard, count: 0 };
        entry.count++;
        counts.set(id, entry);
      }
    return [...counts.values()];
  }
}
