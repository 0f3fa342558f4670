// Helpers for users' own tests: run an Operator in-process against a kubeconfig, wait for
// an object to satisfy a predicate, and stop cleanly. Its own entry point
// (`@fedora-operators/framework/testing`) so production code never loads it.
import type { KubeClient } from '../kube/client.js';
import type { KubeObject } from '../kube/object.js';
import type { ResourceRef } from '../kube/resource.js';
import { createLogger } from '../logging/logger.js';
import type { ControllerClass } from '../registry.js';
import { Operator, type OperatorOptions } from '../runtime/operator.js';

export interface RunningOperator {
  operator: Operator;
  stop(): Promise<void>;
}

/** Starts an operator with the given controllers and waits until every initial list is cached. */
export async function startOperator(
  controllers: (ControllerClass | [ControllerClass, ...unknown[]])[],
  options: OperatorOptions = {},
  { syncTimeoutMs = 30_000 } = {},
): Promise<RunningOperator> {
  const operator = new Operator({
    logger: createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'error', format: 'text' }),
    gracePeriodSeconds: 5,
    ...options,
  });
  for (const entry of controllers) {
    const [cls, ...deps] = Array.isArray(entry) ? entry : [entry];
    operator.register(cls, ...deps);
  }
  await operator.start();
  const deadline = Date.now() + syncTimeoutMs;
  while (!operator.synced) {
    if (Date.now() > deadline) {
      await operator.stop();
      throw new Error(`the operator's watches did not sync within ${syncTimeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { operator, stop: () => operator.stop() };
}

/** Polls an object until `predicate` holds; returns it. Undefined objects (not found) are passed too. */
export async function waitForObject<T extends KubeObject>(
  client: KubeClient,
  resource: ResourceRef,
  namespace: string | undefined,
  name: string,
  predicate: (object: T | undefined) => boolean,
  { timeoutMs = 30_000, intervalMs = 100, what = `${resource.kind} ${name}` } = {},
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await client.find<T>(resource, namespace, name);
    if (predicate(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last?.status ?? last ?? null)}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
