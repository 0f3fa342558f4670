// One run for one object, as a straight walk through three modules, each visited once:
// the planner (planner.ts) decides from the newest state known (the cache, or our own last
// write if the watch has not delivered it yet) and what this process remembers which steps
// are due; the runner (plan-runner.ts) calls them, every one through HandlerRunner.invoke();
// the committer (committer.ts) writes the outcome in one commit and says when to come back.
// This file only keeps the per-object memory between runs and hands each module its input.
// How a run fails: see committer.ts (write refusals and errors); a run that cannot start or
// proceed (a deposed leader, a handler's `refs` throwing) is handled the same way.
import type { KubeClient } from '../kube/client.js';
import type { EventRecorder } from '../kube/events.js';
import { newestOf, objectKey, type KubeObject } from '../kube/object.js';
import type { Logger } from '../logging/logger.js';
import type { ControllerSpec, HandlerSpec } from '../registry.js';
import { Committer } from './committer.js';
import { essenceHashOf } from './essence.js';
import type { Outcome } from './executor.js';
import type { ProcessingExtension } from './extension.js';
import { handlerApplies } from './filters.js';
import { newMemory, scheduleWake, type ObjectMemory, type WakeReason } from './memory.js';
import { PlanRunner } from './plan-runner.js';
import { Planner } from './planner.js';
import type { StorageKeys } from './progress.js';
import { StateStore, type StateStorageMode } from './state-store.js';
import { HandlerRunner } from './runner.js';
import type { RunResult } from './work-queue.js';
import { realClock, type Clock } from '../time/clock.js';
import { classifyWriteError } from './write-errors.js';

export type { WakeReason } from './memory.js';

export interface ProcessorSettings {
  keys: StorageKeys;
  fieldManager: string;
  /** 'auto': the engine sets Ready from handler outcomes; 'manual': handlers set Ready, the engine only sets it False on failure. */
  readyCondition: 'auto' | 'manual';
  /** Post an Event for each successful handler too (failures always get one). */
  successEvents: boolean;
  /** Largest diff-base copy stored on an object; a larger one is stored as a hash (default 64 KiB). */
  maxDiffBaseBytes?: number;
  /** Where the diff-base and progress go (default: see defaultStorageMode in state-store.ts). */
  storage: StateStorageMode;
  /** The status field that holds them in the status mode. */
  statusField: string;
}

export const DEFAULT_MAX_DIFF_BASE_BYTES = 64 * 1024;

export interface ProcessorDeps {
  client: KubeClient;
  events: EventRecorder;
  logger: Logger;
  shutdown: AbortSignal;
  hooks?: {
    onHandler?: (handler: HandlerSpec, outcome: Outcome['kind'], seconds: number) => void;
  };
  /** Handler kinds built on the engine (timers, daemons, related objects). */
  extensions?: ProcessingExtension[];
  /** Shared with the controller's other handler kinds; built from the above when absent. */
  runner?: HandlerRunner;
  /** Times retries, backoff and wake-ups (default: real time). */
  clock?: Clock;
}

export class ObjectProcessor {
  private readonly memory = new Map<string, ObjectMemory>();
  private readonly extensions: ProcessingExtension[];
  private readonly planner: Planner;
  private readonly runner: PlanRunner;
  private readonly committer: Committer;
  private readonly clock: Clock;
  private readonly store: StateStore;

  constructor(
    private readonly spec: ControllerSpec,
    private readonly settings: ProcessorSettings,
    private readonly deps: ProcessorDeps,
  ) {
    const extensions = (this.extensions = deps.extensions ?? []);
    const clock = (this.clock = deps.clock ?? realClock);
    const store = (this.store = new StateStore(settings.keys, settings.storage, settings.statusField));
    this.planner = new Planner(spec, settings.keys, store, extensions);
    const runner =
      deps.runner ??
      new HandlerRunner({ shutdown: deps.shutdown, client: deps.client, onHandler: deps.hooks?.onHandler });
    this.runner = new PlanRunner(spec, {
      runner,
      client: deps.client,
      events: deps.events,
      logger: deps.logger,
      extensions,
      fieldManager: settings.fieldManager,
      successEvents: settings.successEvents,
      clock,
    });
    this.committer = new Committer(
      spec,
      {
        keys: settings.keys,
        readyCondition: settings.readyCondition,
        maxDiffBaseBytes: settings.maxDiffBaseBytes ?? DEFAULT_MAX_DIFF_BASE_BYTES,
        store,
      },
      {
        client: deps.client,
        events: deps.events,
        logger: deps.logger,
        clock,
        onWritten: (written) => {
          const memory = this.memory.get(objectKey(written));
          if (memory) memory.latest = newestOf(written, memory.latest);
        },
      },
    );
  }

  /** `woken`: the run was asked for by something other than the object's own change. */
  async process(
    key: string,
    cached: KubeObject,
    woken?: Exclude<WakeReason, 'change' | 'scheduled'>,
  ): Promise<RunResult> {
    const now = this.clock.now();
    const memory = this.remember(key, cached, now);
    // The watch can still be behind our own last write: never plan from an older state.
    const object = newestOf(cached, memory.latest);
    if (object === cached) memory.latest = undefined;
    const essenceHash = essenceHashOf(object);
    if (essenceHash !== memory.essenceHash) [memory.essenceHash, memory.changedAt] = [essenceHash, now];
    try {
      const plan = this.planner.plan({ key, object, memory, woken, now });
      if (plan.kind === 'wait') return scheduleWake(memory, memory.nextWakeAt, now);
      const outcome = await this.runner.run(key, object, plan);
      return await this.committer.commit(object, plan, outcome, memory, this.clock.now());
    } catch (error) {
      return this.committer.failed(object, memory, error);
    }
  }

  /** The object is gone from the cluster: forget what we kept about it. */
  forget(key: string): void {
    void this.release(key);
  }

  /** Forgets the object and resolves once its extensions (daemons) have let go of it. */
  async release(key: string): Promise<void> {
    this.memory.delete(key);
    await Promise.all(this.extensions.map((extension) => extension.release?.(key)));
  }

  /**
   * The watch stopped delivering an object that still carries our finalizer: it no longer
   * matches the controller's label selector (a real deletion cannot finish while our finalizer
   * is on). It is not ours any more, so the finalizer goes, or its deletion would hang forever.
   */
  async disown(object: KubeObject): Promise<void> {
    const { namespace, name = '' } = object.metadata;
    const { finalizer } = this.settings.keys;
    const ours = (o: KubeObject | undefined) =>
      o?.metadata.finalizers?.includes(finalizer) &&
      !this.spec.handlers.some((h) => handlerApplies(h.options, o));
    if (!object.metadata.finalizers?.includes(finalizer)) return;
    // The watch reports the state from before the object left the selector: read it afresh.
    // A conflict (the object is being deleted or edited right now) re-reads and tries again.
    const read = () =>
      this.deps.client.find<KubeObject>(this.spec.resource, namespace, name).catch(() => undefined);
    let current = await read();
    for (let attempt = 0; attempt < 5 && ours(current); attempt++) {
      try {
        const finalizers = (current?.metadata.finalizers ?? []).filter((f) => f !== finalizer);
        await this.committer.writer.setFinalizers(current as KubeObject, finalizers);
        this.deps.logger.info('no longer matches the selector; removed our finalizer', { namespace, name });
        return;
      } catch (error) {
        const failure = classifyWriteError(error);
        if (failure === 'gone' || failure === 'deposed') return;
        if (failure !== 'conflict') {
          const text = `could not remove the finalizer of an object that left the selector: ${String(error)}`;
          this.deps.logger.warn(text, { namespace, name });
          return;
        }
        current = await read();
      }
    }
  }

  private remember(key: string, object: KubeObject, now: number): ObjectMemory {
    let memory = this.memory.get(key);
    if (!memory) {
      const handledBefore = this.store.read(object, 'diffBase') !== undefined;
      this.memory.set(key, (memory = newMemory(handledBefore, now)));
    }
    return memory;
  }
}
