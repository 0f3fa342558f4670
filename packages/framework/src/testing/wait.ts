// Waiting for what an operator does, by polling the apiserver: an object reaching a state, a
// condition, an Event. Each gives up after `timeoutMs` with an Error that shows what was last
// seen, so a failing test says why.
import type { Condition } from '../reconcile/conditions.js';
import type { KubeClient } from '../kube/client.js';
import type { KubeObject } from '../kube/object.js';
import { CoreResources, type ResourceRef } from '../kube/resource.js';

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Names what is awaited in the timeout message. */
  what?: string;
}

async function poll<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  describe: (last: T) => string,
  { timeoutMs = 30_000, intervalMs = 100 }: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms ${describe(value)}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Polls an object until `predicate` holds; returns it. Undefined objects (not found) are passed too. */
export function waitForObject<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceRef,
  namespace: string | undefined,
  name: string,
  predicate: (object: T | undefined) => boolean,
  options: WaitOptions = {},
): Promise<T | undefined> {
  const what = options.what ?? `${resource.kind} ${name}`;
  return poll(
    () => client.find<T>(resource, namespace, name),
    predicate,
    (last) => `waiting for ${what}; last seen: ${JSON.stringify(last?.status ?? last ?? null)}`,
    options,
  );
}

/** Waits until the object has the condition `type` with `status` ('True' by default) for its current generation. */
export async function waitForCondition<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceRef,
  namespace: string | undefined,
  name: string,
  type: string,
  status: Condition['status'] = 'True',
  options: WaitOptions = {},
): Promise<T> {
  const found = await waitForObject<T>(
    client,
    resource,
    namespace,
    name,
    (o) => {
      const conditions = (o?.status as { conditions?: Condition[] } | undefined)?.conditions ?? [];
      const c = conditions.find((x) => x.type === type);
      return c?.status === status && (c.observedGeneration ?? 0) >= (o?.metadata.generation ?? 0);
    },
    { what: `${resource.kind} ${name} ${type}=${status}`, ...options },
  );
  return found as T;
}

export interface EventMatch {
  /** The object the Event is about. */
  regarding: string;
  reason?: string;
  type?: 'Normal' | 'Warning';
}

/** Waits for an events.k8s.io Event about an object (as the framework posts them); returns it. */
export async function waitForEvent(
  client: KubeClient,
  namespace: string,
  match: EventMatch,
  options: WaitOptions = {},
): Promise<KubeObject> {
  type Event = KubeObject & { reason?: string; type?: string; note?: string; regarding?: { name?: string } };
  const matches = (e: Event) =>
    e.regarding?.name === match.regarding &&
    (match.reason === undefined || e.reason === match.reason) &&
    (match.type === undefined || e.type === match.type);
  const events = await poll(
    async () => (await client.list<Event>(CoreResources.event, namespace)).items,
    (items) => items.some(matches),
    (items) =>
      `waiting for an Event ${JSON.stringify(match)}; seen: ${JSON.stringify(items.map((e) => [e.regarding?.name, e.type, e.reason, e.note]))}`,
    options,
  );
  return events.find(matches) as KubeObject;
}
