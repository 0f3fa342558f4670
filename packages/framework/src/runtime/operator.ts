// The Operator: owns the client, the controllers' loops and their lifecycle.
//   new Operator({ namespaces: ['koji'] }).register(KojiUserController, hubFactory).run()
import type { KubeConfig } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { KubeClient, loadKubeConfig } from '../kube/client.js';
import { isApiError } from '../kube/errors.js';
import { EventRecorder } from '../kube/events.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { ControllerLoop } from '../reconcile/controller-loop.js';
import { ObjectProcessor } from '../reconcile/object-processor.js';
import { storageKeys } from '../reconcile/progress.js';
import { readController, RegistrationError, type ControllerClass, type ControllerSpec } from '../registry.js';

export interface OperatorOptions {
  /** Names this operator: field manager for server-side apply, Events' reporting controller. */
  name?: string;
  /** Namespaces to serve; empty or absent means all namespaces. */
  namespaces?: string[];
  /** A kubeconfig file or object; default: KUBECONFIG, ~/.kube/config, else in-cluster. */
  kubeconfig?: string | KubeConfig;
  /** How many objects are processed at once across all controllers (default 32). */
  concurrency?: number;
  /** Prefix of the annotations and finalizer the framework stores on objects. */
  storagePrefix?: string;
  /** 'auto' (default): Ready follows handler outcomes; 'manual': handlers set Ready themselves. */
  readyCondition?: 'auto' | 'manual';
  /** Post a Normal Event for each successful handler run (failures always post a Warning). */
  successEvents?: boolean;
  /** How long shutdown waits for running handlers before aborting them (default 30 s). */
  gracePeriodSeconds?: number;
  logger?: Logger;
}

export class Operator {
  readonly name: string;
  readonly client: KubeClient;
  readonly logger: Logger;
  private readonly registrations: ControllerSpec[] = [];
  private readonly loops: ControllerLoop[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly shutdown = new AbortController();
  private stopped: Promise<void> | undefined;
  private resolveStopped: (() => void) | undefined;
  private syncedCount = 0;

  constructor(private readonly options: OperatorOptions = {}) {
    this.name = options.name ?? 'operator';
    const config =
      typeof options.kubeconfig === 'object' ? options.kubeconfig : loadKubeConfig(options.kubeconfig);
    this.client = new KubeClient(config);
    this.logger = options.logger ?? createLogger();
  }

  /** Reads a controller class's decorators (failing now on misuse) and keeps its dependencies for construction. */
  register(controller: ControllerClass, ...deps: unknown[]): this {
    const spec = readController(controller, deps);
    if (this.registrations.some((r) => r.name === spec.name)) {
      throw new RegistrationError(`${spec.name} is registered twice`);
    }
    this.registrations.push(spec);
    return this;
  }

  /** True once every controller's initial list is cached. */
  get synced(): boolean {
    return this.loops.length > 0 && this.syncedCount === this.loops.length;
  }

  /** Starts every controller; resolves once they are watching. */
  async start(): Promise<void> {
    if (this.stopped) throw new Error('the operator was already started');
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    if (this.registrations.length === 0) throw new RegistrationError('no controller is registered');
    for (const spec of this.registrations) await this.checkServed(spec);
    const events = new EventRecorder(this.client, this.name, process.env.POD_NAME ?? hostname(), (error) =>
      this.logger.debug(`could not post an Event: ${String(error)}`),
    );
    const keys = storageKeys(this.options.storagePrefix ?? 'operators.fedoraproject.org');
    for (const spec of this.registrations) {
      const logger = this.logger.child({ controller: spec.name });
      const processor = new ObjectProcessor(
        spec,
        {
          keys,
          fieldManager: this.name,
          readyCondition: this.options.readyCondition ?? 'auto',
          successEvents: this.options.successEvents ?? false,
        },
        { client: this.client, events, logger, shutdown: this.shutdown.signal },
      );
      const loop = new ControllerLoop(spec, processor, {
        namespaces: this.options.namespaces ?? [],
        concurrency: this.options.concurrency ?? 32,
        client: this.client,
        logger,
        fieldManager: this.name,
        shutdown: this.shutdown.signal,
        onSynced: () => {
          this.syncedCount++;
          logger.info('initial list cached');
        },
        track: (work) => this.track(work),
      });
      this.loops.push(loop);
      loop.start();
    }
    this.logger.info(`operator ${this.name} started`, {
      controllers: this.registrations.map((r) => r.name),
      namespaces: this.options.namespaces?.length ? this.options.namespaces : 'all',
    });
  }

  /** Starts, then resolves only when the operator has been stopped. */
  async run(): Promise<void> {
    await this.start();
    await this.stopped;
  }

  /** Graceful stop: no new work, running handlers get the grace period, then are aborted. */
  async stop(): Promise<void> {
    if (!this.stopped) return;
    for (const loop of this.loops) loop.stop();
    const grace = (this.options.gracePeriodSeconds ?? 30) * 1000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), grace)),
    );
    const result = await Promise.race([Promise.allSettled([...this.inFlight]), timedOut]);
    if (result === 'timeout') {
      this.logger.warn(
        `${this.inFlight.size} handler run(s) still busy after ${grace / 1000}s; aborting them`,
      );
      this.shutdown.abort(new Error('operator shutdown'));
      await Promise.allSettled([...this.inFlight]);
    }
    clearTimeout(timer);
    this.shutdown.abort(new Error('operator shutdown'));
    this.client.close();
    this.logger.info(`operator ${this.name} stopped`);
    this.resolveStopped?.();
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }

  /** An unknown resource is a registration error, named after the controller that asked for it. */
  private async checkServed(spec: ControllerSpec): Promise<void> {
    const { group, version, plural } = spec.resource;
    const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
    try {
      const list = await this.client.http.request<{ resources: { name: string }[] }>('GET', path);
      if (list.resources.some((r) => r.name === plural)) return;
    } catch (error) {
      if (!isApiError(error, 404)) throw error;
    }
    throw new RegistrationError(
      `${spec.name}: the apiserver does not serve ${plural}.${group || 'core'}/${version} (is its CustomResourceDefinition installed?)`,
    );
  }
}
