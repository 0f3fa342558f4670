// A positive marker for negative checks ("X did not happen"): instead of sleeping a fixed time
// and hoping a late event would have shown by then, wait until the engine has finished a run
// on the object's current resourceVersion. Every watch event (our own writes' echoes
// included) leads to a run on the newest cached state, so once a run on version R finished,
// whatever the events up to R could have caused (a handler re-run, a write loop) has happened.
// Scheduled retries are not events: a test of a retry delay still needs its own marker.
// Recorded by wrapping ObjectProcessor.process, in the test's process (startOperator).
import { jest } from '@jest/globals';
import type { KubeClient } from '../../packages/framework/src/kube/client.ts';
import type { KubeObject } from '../../packages/framework/src/kube/object.ts';
import type { ResourceRef } from '../../packages/framework/src/kube/resource.ts';
import { ObjectProcessor } from '../../packages/framework/src/reconcile/object-processor.ts';
import { eventually } from './eventually.ts';

/** Newest resourceVersion a finished run started from, by `namespace/name`. */
const processed = new Map<string, bigint>();
/** Runs under way, by key. */
const running = new Map<string, number>();
/** Keys the engine forgot (the watch reported the object gone). */
const forgotten = new Set<string>();
let installed = false;

/** Starts recording the engine's finished runs (idempotent; call before startOperator). */
export function trackEngineRuns(): void {
  if (installed) return;
  installed = true;
  const process = ObjectProcessor.prototype.process;
  jest.spyOn(ObjectProcessor.prototype, 'process').mockImplementation(async function (
    this: ObjectProcessor,
    key,
    cached,
    woken,
  ) {
    running.set(key, (running.get(key) ?? 0) + 1);
    try {
      return await process.call(this, key, cached, woken);
    } finally {
      running.set(key, (running.get(key) ?? 1) - 1);
      const version = BigInt(cached.metadata.resourceVersion ?? '0');
      if (version > (processed.get(key) ?? 0n)) processed.set(key, version);
    }
  });
  const forget = ObjectProcessor.prototype.forget;
  jest.spyOn(ObjectProcessor.prototype, 'forget').mockImplementation(function (this: ObjectProcessor, key) {
    forgotten.add(key);
    forget.call(this, key);
  });
}

/** Forgets what was recorded (before a second operator starts in the same test). */
export function forgetEngineRuns(): void {
  processed.clear();
  forgotten.clear();
}

/** Resolves once no run of the object is under way (the runs that were have finished). */
export async function engineIdle(namespace: string, name: string, timeoutMs = 20_000): Promise<void> {
  if (!installed) throw new Error('engineIdle needs trackEngineRuns() before the operator starts');
  await eventually(() => !running.get(`${namespace}/${name}`), {
    what: `the engine's runs of ${name} to finish`,
    timeoutMs,
    intervalMs: 50,
  });
}

/**
 * Resolves once the engine has seen the object's deletion (it forgot the object, so no run
 * can start for it any more) and no run of it is under way: nothing more can happen to it.
 */
export async function engineDoneWith(namespace: string, name: string, timeoutMs = 20_000): Promise<void> {
  if (!installed) throw new Error('engineDoneWith needs trackEngineRuns() before the operator starts');
  const key = `${namespace}/${name}`;
  await eventually(() => forgotten.has(key) && !running.get(key), {
    what: `the engine to be done with ${name}`,
    timeoutMs,
    intervalMs: 50,
  });
}

/**
 * Resolves once the engine finished a run on the object as it is now and wrote nothing more
 * after it (the version read again is the same): every event up to now has been handled, so a
 * negative check after it cannot miss a late one.
 */
export async function engineCaughtUp(
  client: KubeClient,
  resource: ResourceRef,
  namespace: string,
  name: string,
  timeoutMs = 20_000,
): Promise<void> {
  if (!installed) throw new Error('engineCaughtUp needs trackEngineRuns() before the operator starts');
  const versionNow = async () =>
    BigInt((await client.get<KubeObject>(resource, namespace, name)).metadata.resourceVersion ?? '0');
  const deadline = Date.now() + timeoutMs;
  for (let version = await versionNow(); ;) {
    await eventually(() => (processed.get(`${namespace}/${name}`) ?? 0n) >= version, {
      what: `the engine to finish a run on ${name} at resourceVersion ${version}`,
      timeoutMs: Math.max(0, deadline - Date.now()),
      intervalMs: 50,
    });
    const after = await versionNow();
    if (after === version) return;
    version = after; // the engine (or someone) wrote meanwhile: its echo must be handled too
  }
}
