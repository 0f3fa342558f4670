// Runs an Operator in the test's own process against a cluster (see test-cluster.ts) and
// returns once every watch has its initial list, so a test's first write is seen.
import type { KubeAccess } from '../kube/kubeconfig.js';
import { createLogger } from '../logging/logger.js';
import type { ControllerClass } from '../registry.js';
import { Operator, type OperatorOptions } from '../runtime/operator.js';

export interface RunningOperator {
  operator: Operator;
  /** Lets running handlers finish (within 5 s by default), then stops the watches. */
  stop(): Promise<void>;
}

export interface StartOperatorOptions {
  syncTimeoutMs?: number;
  /** The operator's log level: this option, else TEST_LOG_LEVEL, else 'error' (failures only). */
  logLevel?: string;
}

/** Starts an operator with the given controllers and waits until every initial list is cached. */
export async function startOperator(
  controllers: (ControllerClass | [ControllerClass, ...unknown[]])[],
  options: OperatorOptions & { kubeconfig?: string | KubeAccess } = {},
  { syncTimeoutMs = 30_000, logLevel }: StartOperatorOptions = {},
): Promise<RunningOperator> {
  const operator = new Operator({
    logger: createLogger({ level: logLevel ?? process.env.TEST_LOG_LEVEL ?? 'error', format: 'text' }),
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
