// Starts the @Daemon handlers of each object once, and stops them when it is deleted.
import type { KubeClient } from '../kube/client.js';
import type { KubeObject } from '../kube/object.js';
import type { DaemonOptions } from '../decorators/options.js';
import type { Logger } from '../logging/logger.js';
import { createContext, emptyPatch } from '../reconcile/context.js';
import type { ExtensionResult, ExtensionRun, ProcessingExtension } from '../reconcile/extension.js';
import { handlerApplies } from '../reconcile/filters.js';
import type { ControllerSpec } from '../registry.js';
import { DaemonSupervisor } from './daemons.js';

export interface DaemonDeps {
  client: KubeClient;
  logger: Logger;
  fieldManager: string;
  /** The newest cached state of an object, for a daemon that outlives the state it started with. */
  latest: (key: string) => KubeObject | undefined;
}

export class DaemonHandlers implements ProcessingExtension {
  readonly phase = 'after-reconcile';
  readonly needsFinalizer: boolean;
  private readonly supervisor: DaemonSupervisor;

  constructor(
    private readonly spec: ControllerSpec,
    private readonly deps: DaemonDeps,
  ) {
    this.needsFinalizer = spec.handlers.some((h) => h.kind === 'daemon');
    this.supervisor = new DaemonSupervisor((slot, error, retryInMs) =>
      deps.logger.warn(
        `daemon ${slot} failed, restarting in ${(retryInMs / 1000).toFixed(1)}s: ${String(error)}`,
      ),
    );
  }

  async run(run: ExtensionRun): Promise<ExtensionResult> {
    for (const handler of this.spec.handlers) {
      if (handler.kind !== 'daemon' || !handlerApplies(handler.options, run.object)) continue;
      if (this.supervisor.has(run.key, handler.id)) continue;
      const initialDelayMs = ((handler.options as DaemonOptions).initialDelaySeconds ?? 0) * 1000;
      const { key, object } = run;
      this.supervisor.ensure(
        key,
        handler.id,
        async (signal, attempt) => {
          const method = (this.spec.instance as Record<string, (ctx: unknown) => unknown>)[handler.method];
          const context = createContext({
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
            signal,
            patch: emptyPatch(),
            client: this.deps.client,
            fieldManager: this.deps.fieldManager,
          });
          await method?.call(this.spec.instance, { ...context, latest: () => this.deps.latest(key) });
        },
        initialDelayMs,
      );
    }
    return {};
  }

  release(key: string): Promise<void> {
    return this.supervisor.stop(key);
  }

  stopAll(): Promise<void> {
    return this.supervisor.stopAll();
  }
}
