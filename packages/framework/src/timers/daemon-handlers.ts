// Plans the start of each object's @Daemon handlers (once; the runner launches them, and each
// attempt calls the handler through invoke()), and stops them when the object is deleted.
import type { KubeClient } from '../kube/client.js';
import type { KubeObject } from '../kube/object.js';
import type { DaemonOptions } from '../decorators/options.js';
import type { Logger } from '../logging/logger.js';
import { createContext, emptyPatch } from '../reconcile/context.js';
import type { ExtensionInput, ExtensionPlan, ProcessingExtension } from '../reconcile/extension.js';
import { handlerApplies } from '../reconcile/filters.js';
import type { ControllerSpec, HandlerSpec } from '../registry.js';
import type { HandlerRunner } from '../reconcile/runner.js';
import { type Clock, realClock } from '../time/clock.js';
import { DaemonSupervisor } from './daemons.js';

export interface DaemonDeps {
  client: KubeClient;
  logger: Logger;
  fieldManager: string;
  /** The newest cached state of an object, for a daemon that outlives the state it started with. */
  latest: (key: string) => KubeObject | undefined;
  /** Times initial delays and restart backoff (default: real time). */
  clock?: Clock;
}

export class DaemonHandlers implements ProcessingExtension {
  readonly phase = 'after-reconcile';
  readonly needsFinalizer: boolean;
  private readonly supervisor: DaemonSupervisor;

  constructor(
    private readonly spec: ControllerSpec,
    private readonly runner: HandlerRunner,
    private readonly deps: DaemonDeps,
  ) {
    this.needsFinalizer = spec.handlers.some((h) => h.kind === 'daemon');
    this.supervisor = new DaemonSupervisor(
      (slot, error, retryInMs) =>
        deps.logger.warn(
          `daemon ${slot} failed, restarting in ${(retryInMs / 1000).toFixed(1)}s: ${String(error)}`,
        ),
      deps.clock,
    );
  }

  plan({ key, object }: ExtensionInput): ExtensionPlan {
    const launches = this.spec.handlers
      .filter(
        (h) => h.kind === 'daemon' && handlerApplies(h.options, object) && !this.supervisor.has(key, h.id),
      )
      .map((handler) => () => this.launch(key, object, handler));
    return { steps: [], launches, settle: () => ({}) };
  }

  private launch(key: string, object: KubeObject, handler: HandlerSpec): void {
    const initialDelayMs = ((handler.options as DaemonOptions).initialDelaySeconds ?? 0) * 1000;
    this.supervisor.ensure(
      key,
      handler.id,
      async (signal, attempt) => {
        const { outcome } = await this.runner.invoke({
          owner: this.spec.instance,
          handler,
          retry: attempt,
          stop: signal,
          context: (handlerSignal) => ({
            ...createContext({
              object: this.deps.latest(key) ?? object,
              resource: this.spec.resource,
              cause: 'daemon',
              old: undefined,
              new: undefined,
              diff: [],
              retry: attempt,
              logger: this.deps.logger.child({
                namespace: object.metadata.namespace,
                name: object.metadata.name,
                handler: handler.id,
              }),
              signal: handlerSignal,
              patch: emptyPatch(),
              client: this.deps.client,
              clock: this.deps.clock ?? realClock,
              fieldManager: this.deps.fieldManager,
            }),
            latest: () => this.deps.latest(key),
          }),
        });
        // The supervisor restarts a daemon that failed (with backoff) and keeps one that returned.
        if (outcome.kind !== 'success' && !(outcome.kind === 'failure' && outcome.ignored))
          throw outcome.error;
      },
      initialDelayMs,
    );
  }

  release(key: string): Promise<void> {
    return this.supervisor.stop(key);
  }

  stopAll(): Promise<void> {
    return this.supervisor.stopAll();
  }
}
