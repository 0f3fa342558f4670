// The one place a handler method is called, for every handler kind (change handlers,
// @Reconcile, timers, related handlers, daemons, @OnEvent, startup and cleanup): through the
// executor, so every call gets the handler's timeout (its signal aborted), its error policy
// and retry limit, and a metrics observation.
// Fails: never throws for the handler's own errors (they are the outcome); throws
// NotLeaderError before calling anything when this process may not act (a deposed leader).
import type { KubeClient } from '../kube/client.js';
import type { HandlerSpec } from '../registry.js';
import { runHandler, type Outcome } from './executor.js';

export interface Invocation {
  /** The instance whose method is the handler (a controller, or a class of operator hooks). */
  owner: object;
  handler: HandlerSpec;
  /** 0 on the first attempt. */
  retry: number;
  /** Builds the handler's argument; `signal` is aborted on timeout or when `stop` is. */
  context: (signal: AbortSignal) => unknown;
  /** Ends the call early (shutdown, the object deleted); default: the runner's shutdown. */
  stop?: AbortSignal;
}

export interface RunnerDeps {
  shutdown: AbortSignal;
  /** The client whose write gate says whether this process may act at all. */
  client?: KubeClient;
  onHandler?: (handler: HandlerSpec, outcome: Outcome['kind'], seconds: number) => void;
}

export class HandlerRunner {
  constructor(private readonly deps: RunnerDeps) {}

  async invoke(invocation: Invocation): Promise<{ outcome: Outcome; seconds: number }> {
    const { owner, handler, retry } = invocation;
    // A process that may not write (a deposed leader) runs no handler either.
    this.deps.client?.http.assertMayWrite();
    const method = (owner as Record<string, unknown>)[handler.method];
    const started = Date.now();
    const outcome = await runHandler(
      handler,
      async (signal) => {
        if (typeof method !== 'function') throw new Error(`${handler.qualifiedName} is not a method`);
        return (method as (ctx: unknown) => unknown).call(owner, invocation.context(signal));
      },
      retry,
      invocation.stop ?? this.deps.shutdown,
    );
    const seconds = (Date.now() - started) / 1000;
    this.deps.onHandler?.(handler, outcome.kind, seconds);
    return { outcome, seconds };
  }
}
