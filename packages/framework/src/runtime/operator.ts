// The Operator owns everything that lives as long as the process: the client, the
// controllers' loops, leader election, the health/metrics server, startup/cleanup hooks and
// graceful shutdown.
//   await new Operator({ namespaces: ['koji'] }).register(KojiUserController, hubFactory).run();
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { KubeClient } from '../kube/client.js';
import { loadKubeConfig, type KubeAccess } from '../kube/kubeconfig.js';
import { resolveKind } from '../kube/discovery.js';
import { isApiError, NotLeaderError } from '../kube/errors.js';
import { EventRecorder } from '../kube/events.js';
import type { ResourceRef } from '../kube/resource.js';
import { createLogger, type Logger } from '../logging/logger.js';
import type { Clock } from '../time/clock.js';
import {
  ControllerLoop,
  handlersLabelSelector,
  relatedKindKey,
  resourceLabel,
  type WatchedResource,
} from './controller-loop.js';
import { DEFAULT_STORAGE_PREFIX, storageKeys } from '../reconcile/progress.js';
import { defaultStorageMode, statusStateField } from '../reconcile/state-store.js';
import { HandlerRunner } from '../reconcile/runner.js';
import { SharedLimit } from '../reconcile/work-queue.js';
import {
  readController,
  readHooks,
  RegistrationError,
  type ControllerClass,
  type ControllerSpec,
  type HooksSpec,
} from '../registry.js';
import { startHealthServer } from './health-server.js';
import { InformerFactory } from '../watch/informer-factory.js';
import { LeaderElector, type LeaderElectionOptions } from './leader-election.js';
import { OperatorMetrics } from './metrics.js';
import { SharderCampaign } from './sharder-campaign.js';
import { ShardMetrics } from '../sharding/shard-metrics.js';
import { ShardOwner } from '../sharding/shard-owner.js';
import {
  resolveSharding,
  type ShardingOptions,
  type ShardingSettings,
} from '../sharding/sharding-options.js';
import { ServedNamespaces } from './served-namespaces.js';

export interface OperatorOptions {
  /** Names this operator: field manager for server-side apply, Events' reporting controller, Lease name. */
  name?: string;
  /** Namespaces to serve; empty or absent means all namespaces. */
  namespaces?: string[];
  /** A kubeconfig file or object (ours, or client-node's KubeConfig); default: KUBECONFIG, ~/.kube/config, else in-cluster. */
  kubeconfig?: string | KubeAccess;
  /** How many objects are processed at once, across all controllers together (default 32). */
  concurrency?: number;
  /** Put every cached object through @Reconcile (and timers) again this often; 0 disables (default 0). */
  resyncSeconds?: number;
  /** Prefix of the annotations, status field and finalizer the framework stores on objects. */
  storagePrefix?: string;
  /**
   * Where the record of handled changes (diff-base, progress) is kept. 'auto' (default): in
   * `status["<storagePrefix>"]` for custom resources with a status subresource (one write per
   * handled change; the CRD must keep that field, as generated CRDs do), in annotations for
   * every other kind. 'annotations': always in annotations. Either way an object recorded the
   * other way is read, not handled again.
   */
  stateStorage?: 'auto' | 'annotations';
  /** 'auto' (default): Ready follows handler outcomes; 'manual': handlers set Ready themselves. */
  readyCondition?: 'auto' | 'manual';
  /** Post a Normal Event for each successful handler run (failures always post a Warning). */
  successEvents?: boolean;
  /** How long shutdown waits for running handlers before aborting them (default 30 s). */
  gracePeriodSeconds?: number;
  /** Run handlers only while holding this Lease (client-go semantics); absent: always. */
  leaderElection?: Omit<LeaderElectionOptions, 'identity'> & { identity?: string };
  /**
   * Spread the objects over the replicas (each runs handlers for its share; see the README's
   * "Sharding"). Absent (default): every replica handles everything, or with leaderElection
   * only the leader does. Excludes leaderElection.
   */
  sharding?: ShardingOptions;
  /** How often a served namespace found missing is looked up again (default 30 s). */
  namespaceRecheckSeconds?: number;
  /** Serve /healthz, /readyz and /metrics on this port (0: any free port; absent: no server). */
  healthPort?: number;
  healthHost?: string;
  logger?: Logger;
  /**
   * What the engine schedules by: timers, daemons' delays, retry backoff, requeues, resync
   * (default: real time). Tests pass the testing kit's ManualClock to move time themselves.
   * Leader election, watches and handler timeouts keep real time (see time/clock.ts).
   */
  clock?: Clock;
}

export class Operator {
  readonly name: string;
  readonly client: KubeClient;
  readonly logger: Logger;
  readonly metrics = new OperatorMetrics();
  /** The shared watches and caches: one per (resource, namespace, label selector) for all controllers. */
  readonly informers: InformerFactory;
  private readonly controllers: ControllerSpec[] = [];
  private readonly hooks: HooksSpec[] = [];
  private readonly loops: ControllerLoop[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly limit: SharedLimit;
  private readonly shutdown = new AbortController();
  private elector: LeaderElector | undefined;
  private readonly sharding: ShardingSettings | undefined;
  private readonly shardOwner: ShardOwner | undefined;
  private shardMetrics: ShardMetrics | undefined;
  private sharderCampaign: SharderCampaign | undefined;
  private servedNamespaces: ServedNamespaces | undefined;
  private electorClient: KubeClient | undefined;
  private server: Server | undefined;
  private started = false;
  private stopping: Promise<void> | undefined;
  private resolveStopped: (() => void) | undefined;
  private readonly stopped = new Promise<void>((resolve) => (this.resolveStopped = resolve));
  private syncedCount = 0;
  private leading = false;
  /** The port the health server listens on, once started. */
  healthPort: number | undefined;

  constructor(private readonly options: OperatorOptions = {}) {
    this.name = options.name ?? 'operator';
    const config =
      typeof options.kubeconfig === 'object' ? options.kubeconfig : loadKubeConfig(options.kubeconfig);
    this.client = new KubeClient(config);
    this.logger = options.logger ?? createLogger();
    this.limit = new SharedLimit(options.concurrency ?? 32);
    const m = this.metrics;
    if (options.sharding) {
      if (options.leaderElection)
        throw new Error(
          'sharding and leaderElection exclude each other: with sharding every replica handles its share',
        );
      const sharding = (this.sharding = resolveSharding(
        options.sharding,
        this.name,
        options.storagePrefix ?? DEFAULT_STORAGE_PREFIX,
      ));
      const shardMetrics = (this.shardMetrics = new ShardMetrics(m.registry));
      this.shardOwner = new ShardOwner(sharding.names, sharding.shardId, {
        client: this.client,
        logger: this.logger,
        onDrained: (controller) => shardMetrics.drains.inc({ controller }),
      });
    }
    this.informers = new InformerFactory({
      client: this.client,
      log: this.logger,
      hooks: {
        onRestart: (reason, resource) => m.watchRestarts.inc({ resource: resourceLabel(resource), reason }),
        onActive: (delta, resource, namespace) =>
          m.watches.inc({ resource: resourceLabel(resource), namespace: namespace ?? '*' }, delta),
      },
    });
  }

  /** Reads a class's decorators (failing now on misuse) and keeps its constructor dependencies. */
  register(cls: ControllerClass, ...deps: unknown[]): this {
    const hooks = readHooks(cls, deps);
    if (hooks) {
      this.hooks.push(hooks);
      return this;
    }
    const spec = readController(cls, deps);
    if (this.controllers.some((c) => c.name === spec.name))
      throw new RegistrationError(`${spec.name} is registered twice`);
    this.controllers.push(spec);
    return this;
  }

  /** True once every controller's initial list is cached (a standby replica is ready once it campaigns). */
  get synced(): boolean {
    if (this.elector && !this.leading) return this.started;
    return this.loops.length > 0 && this.syncedCount === this.loops.length;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Starts: checks resources, serves health, then (once leader, if electing) runs the controllers. */
  async start(): Promise<void> {
    if (this.started) throw new Error('the operator was already started');
    this.started = true;
    if (this.controllers.length === 0) throw new RegistrationError('no controller is registered');
    const resolved = await Promise.all(this.controllers.map((spec) => this.resolve(spec)));
    if (this.options.namespaces?.length) {
      this.servedNamespaces = new ServedNamespaces({
        client: this.client,
        logger: this.logger,
        namespaces: this.options.namespaces,
        recheckSeconds: this.options.namespaceRecheckSeconds ?? 30,
        onState: (namespace, missing) => this.metrics.namespaceMissing.set({ namespace }, missing ? 1 : 0),
      });
      await this.servedNamespaces.start();
    }
    if (this.options.healthPort !== undefined) {
      const { server, port } = await startHealthServer({
        port: this.options.healthPort,
        host: this.options.healthHost,
        ready: () => this.synced,
        warnings: () => [
          ...(this.servedNamespaces?.missing ?? []).map((ns) => `served namespace "${ns}" does not exist`),
          ...new Set(this.loops.flatMap((loop) => loop.pendingCaches.map((c) => `cache not synced: ${c}`))),
        ],
        registry: this.metrics.registry,
      });
      [this.server, this.healthPort] = [server, port];
    }
    await this.runHooks('startup');
    const startControllers = () => {
      this.leading = true;
      this.metrics.leader.set(1);
      // Every loop takes its informers before any starts, so each shared cache lists once, with
      // the content its most demanding reader needs.
      const loops = this.controllers.map((spec, i) => this.createLoop(spec, resolved[i] as Resolved));
      for (const loop of loops) loop.start();
    };
    const lease = this.leaseOptions();
    if (lease) {
      // Its own client (and connection pool): renewals never wait behind watches or writes.
      const electorClient = (this.electorClient = new KubeClient(this.client.config));
      const elector = new LeaderElector(electorClient, lease, this.logger);
      this.elector = elector;
      // Once leading, every write of this process (engine, handlers, Events) needs a Lease
      // renewed within the renew deadline: a leader frozen or cut off writes nothing more.
      this.client.http.setWriteGate(() => {
        if (this.leading && !elector.isLeader) throw new NotLeaderError();
      });
      const started = this.sharding
        ? () => {
            startControllers();
            this.sharderCampaign = this.startSharderCampaign(
              this.sharding as ShardingSettings,
              electorClient,
              elector,
            );
          }
        : startControllers;
      void elector.run(started, async () => {
        this.metrics.leader.set(0);
        if (!this.shutdown.signal.aborted) {
          // A leader that lost its Lease must not keep acting: running handlers are aborted at
          // once (no grace period), then the operator stops, as client-go's users do.
          this.logger.error('leadership lost; stopping');
          await this.stop({ immediately: true });
        }
      });
    } else startControllers();
    this.logger.info(`operator ${this.name} started`, {
      controllers: this.controllers.map((c) => c.name),
      namespaces: this.options.namespaces?.length ? this.options.namespaces : 'all',
    });
  }

  /** Starts, then resolves only when the operator has stopped. */
  async run(): Promise<void> {
    await this.start();
    await this.stopped;
  }

  /** Resolves when the operator has stopped (by stop(), a signal, or a lost Lease). */
  whenStopped(): Promise<void> {
    return this.stopped;
  }

  /** Graceful stop: no new work, running handlers get the grace period, then are aborted; the Lease is released. */
  stop({ immediately = false }: { immediately?: boolean } = {}): Promise<void> {
    if (immediately) this.shutdown.abort(new Error('leadership lost'));
    this.stopping ??= this.doStop(immediately);
    return this.stopping;
  }

  private async doStop(immediately: boolean): Promise<void> {
    // The sharder goes first: its Lease is released for a successor at once.
    await this.sharderCampaign?.stop();
    this.servedNamespaces?.stop();
    await Promise.all(this.loops.map((loop) => loop.stop()));
    const grace = immediately ? 0 : (this.options.gracePeriodSeconds ?? 30) * 1000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), grace)),
    );
    const result = await Promise.race([Promise.allSettled([...this.inFlight]), timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.logger.warn(
        `${this.inFlight.size} handler run(s) still busy after ${grace / 1000}s; aborting them`,
      );
    }
    this.shutdown.abort(new Error('operator shutdown'));
    await Promise.allSettled([...this.inFlight]);
    await this.runHooks('cleanup');
    await this.elector?.stop();
    this.leading = false;
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
    this.client.close();
    this.electorClient?.close();
    this.logger.info(`operator ${this.name} stopped`);
    this.resolveStopped?.();
  }

  /**
   * The Lease this replica must hold to act: the leader Lease, or with sharding its member
   * Lease (a replica whose member Lease lapsed stops as a deposed leader does, and the sharder
   * moves its objects away once the Lease has expired).
   */
  private leaseOptions(): LeaderElectionOptions | undefined {
    const sharding = this.sharding;
    if (sharding) {
      const { names, shardId } = sharding;
      return {
        namespace: sharding.leaseNamespace,
        name: names.memberLease(shardId),
        identity: sharding.identity,
        labels: { [names.memberOfLabel]: this.name, [names.shardIdLabel]: shardId },
        leaseDurationSeconds: sharding.leaseDurationSeconds,
        renewDeadlineSeconds: sharding.renewDeadlineSeconds,
        retryPeriodSeconds: sharding.retryPeriodSeconds,
      };
    }
    if (!this.options.leaderElection) return undefined;
    const { identity, ...lease } = this.options.leaderElection;
    return { ...lease, identity: identity ?? process.env.POD_NAME ?? `${hostname()}-${process.pid}` };
  }

  private startSharderCampaign(
    settings: ShardingSettings,
    electorClient: KubeClient,
    member: LeaderElector,
  ): SharderCampaign {
    const campaign = new SharderCampaign(settings, {
      config: this.client.config,
      electorClient,
      memberIsLive: () => member.isLeader,
      informers: this.informers,
      logger: this.logger,
      metrics: this.shardMetrics as ShardMetrics,
      operatorName: this.name,
      namespaces: this.options.namespaces ?? [],
      resources: this.controllers.map((spec) => ({
        resource: spec.resource,
        labelSelector: handlersLabelSelector(spec),
      })),
    });
    campaign.start();
    return campaign;
  }

  private createLoop(spec: ControllerSpec, resolved: Resolved): ControllerLoop {
    const logger = this.logger.child({ controller: spec.name });
    const events = new EventRecorder(this.client, this.name, process.env.POD_NAME ?? hostname(), (error) =>
      logger.debug(`could not post an Event: ${String(error)}`),
    );
    const m = this.metrics;
    const prefix = this.options.storagePrefix ?? DEFAULT_STORAGE_PREFIX;
    const loop = new ControllerLoop(
      spec,
      {
        keys: storageKeys(prefix),
        storage:
          this.options.stateStorage === 'annotations'
            ? 'annotations'
            : defaultStorageMode(spec.resource, spec.statusSubresource),
        statusField: statusStateField(prefix),
        fieldManager: this.name,
        readyCondition: this.options.readyCondition ?? 'auto',
        successEvents: this.options.successEvents ?? false,
      },
      {
        client: this.client,
        events,
        logger,
        shutdown: this.shutdown.signal,
        clock: this.options.clock,
        hooks: {
          onHandler: (handler, outcome, seconds) => {
            const labels = { controller: spec.name, handler: handler.id };
            m.handlerRuns.inc({ ...labels, outcome });
            m.handlerDuration.observe(labels, seconds);
            if (outcome !== 'success') m.handlerErrors.inc(labels);
            if (outcome === 'retry') m.handlerRetries.inc(labels);
          },
        },
      },
      {
        namespaces: this.options.namespaces ?? [],
        concurrency: this.options.concurrency ?? 32,
        limit: this.limit,
        client: this.client,
        informers: this.informers,
        logger,
        fieldManager: this.name,
        shutdown: this.shutdown.signal,
        resyncSeconds: this.options.resyncSeconds ?? 0,
        relatedResources: resolved.related,
        ownedResources: resolved.owned,
        watchedResources: resolved.watched,
        onSynced: () => {
          this.syncedCount++;
          logger.info('initial list cached');
        },
        track: (work) => this.track(work),
        onDepth: (depth) => m.queueDepth.set({ controller: spec.name }, depth),
        shard: this.shardOwner,
      },
    );
    m.cachedCounts = () => Object.fromEntries(this.loops.map((l) => [l.spec.name, l.cachedCount]));
    m.previousStatesCounts = () =>
      Object.fromEntries(this.loops.map((l) => [l.spec.name, l.previousStatesCount]));
    this.loops.push(loop);
    return loop;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }

  private async runHooks(kind: 'startup' | 'cleanup'): Promise<void> {
    // Cleanup runs after shutdown was signalled: its own signal aborts only on its timeout.
    const runner = new HandlerRunner({
      shutdown: kind === 'cleanup' ? new AbortController().signal : this.shutdown.signal,
      onHandler: (handler, outcome, seconds) => {
        const labels = { controller: kind, handler: handler.id };
        this.metrics.handlerRuns.inc({ ...labels, outcome });
        this.metrics.handlerDuration.observe(labels, seconds);
      },
    });
    for (const owner of [...this.hooks, ...this.controllers]) {
      for (const handler of owner.handlers.filter((h) => h.kind === kind)) {
        const logger = this.logger.child({ handler: handler.id });
        const { outcome } = await runner.invoke({
          owner: owner.instance,
          handler,
          retry: 0,
          context: (signal) => ({ client: this.client, logger, signal }),
        });
        if (outcome.kind === 'success') continue;
        const error = outcome.error;
        this.logger.error(
          `${handler.qualifiedName} (@On${kind === 'startup' ? 'Startup' : 'Cleanup'}) failed: ${String(error)}`,
        );
        if (kind === 'startup') throw error;
      }
    }
  }

  /** Checks the controller's resource is served and resolves the kinds it references or owns. */
  private async resolve(spec: ControllerSpec): Promise<Resolved> {
    const { group, version, plural } = spec.resource;
    const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
    let served = false;
    try {
      const list = await this.client.http.request<{ resources: { name: string }[] }>('GET', path);
      served = list.resources.some((r) => r.name === plural);
    } catch (error) {
      if (!isApiError(error, 404)) throw error;
    }
    if (!served) {
      throw new RegistrationError(
        `${spec.name}: the apiserver does not serve ${plural}.${group || 'core'}/${version} (is its CustomResourceDefinition installed?)`,
      );
    }
    const related = new Map<string, ResourceRef>();
    for (const h of spec.handlers) {
      if (!h.related || related.has(relatedKindKey(h.related))) continue;
      const ref = await resolveKind(this.client, h.related.apiVersion, h.related.kind);
      if (!ref)
        throw new RegistrationError(
          `${h.qualifiedName}: the apiserver does not serve ${h.related.apiVersion} ${h.related.kind}`,
        );
      related.set(relatedKindKey(h.related), ref);
    }
    const owned: ResourceRef[] = [];
    for (const o of spec.owns) {
      const ref = await resolveKind(this.client, o.apiVersion, o.kind);
      if (!ref && o.optional) {
        this.logger.info(
          `${spec.name}: ${o.apiVersion} ${o.kind} is not served here; its children are not watched`,
        );
        continue;
      }
      if (!ref)
        throw new RegistrationError(
          `${spec.name}: @Owns names ${o.apiVersion} ${o.kind}, which the apiserver does not serve`,
        );
      owned.push(ref);
    }
    const watched: WatchedResource[] = [];
    for (const w of spec.watches) {
      const ref = await resolveKind(this.client, w.apiVersion, w.kind);
      if (!ref && w.optional) {
        this.logger.info(`${spec.name}: ${w.apiVersion} ${w.kind} is not served here; it is not watched`);
        continue;
      }
      if (!ref)
        throw new RegistrationError(
          `${spec.name}: @Watches names ${w.apiVersion} ${w.kind}, which the apiserver does not serve`,
        );
      watched.push({ resource: ref, map: w.map });
    }
    return { related, owned, watched };
  }
}

interface Resolved {
  related: Map<string, ResourceRef>;
  owned: ResourceRef[];
  watched: WatchedResource[];
}
