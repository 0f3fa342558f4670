// The Koji-side half of a workload controller's run: what must be true inside koji for the
// workload to work (a builder's hosts registered, kojira's and kojiweb's users), made so through
// the namespace's KojiHub with the operator's admin identity. It is reported as a condition of
// its own, KojiSynced, and folded into Ready:
//   - True (InSync): done; Ready follows the pods.
//   - False (HubUnavailable, HubLoginFailed, KojiPermissionDenied, ...): Ready=False with that
//     reason, and the run comes again after a backoff; nothing is lost meanwhile, each run
//     converges koji to the spec as it is then.
//   - Unknown (NoKojiHub): the namespace has no KojiHub, so there is no hub and no admin
//     identity to use (e.g. builders of a hub run elsewhere); Ready follows the pods and the
//     koji side is the koji admin's job.
import type { HandlerContext } from '@fedora-operators/framework';

import type { KojiHub } from '../api/koji-hub.js';
import {
  FailureBackoff,
  HubClientFactory,
  HubConnectionError,
  hubProblemOf,
  type FailureBackoffOptions,
  type HubProblem,
} from '../hub-connection/index.js';
import type { KojiClient } from '../koji/index.js';
import { reportReadiness } from './support.js';

export type KojiSide<T> =
  | { state: 'synced'; value: T }
  | { state: 'no-hub'; message: string }
  | { state: 'failed'; problem: HubProblem; retryAfterSeconds: number };

export const kojiSyncedCondition = 'KojiSynced';

export interface KojiSideOptions {
  /** Backoff while the hub cannot be used; default 2 s doubling to 300 s. */
  retry?: FailureBackoffOptions;
}

/** What the workload controllers that talk to koji share: the hub connection and its backoff. */
export abstract class KojiSideController {
  protected readonly backoff: FailureBackoff;

  constructor(
    protected readonly hub: HubClientFactory = new HubClientFactory(),
    options: KojiSideOptions = {},
  ) {
    this.backoff = new FailureBackoff(options.retry);
  }
}

/** The namespace's one KojiHub, or why there is none to use; looked up once per run. */
export type HubLookup = { hub: KojiHub } | { missing: HubConnectionError };

export async function lookUpHub(
  ctx: HandlerContext<unknown, unknown>,
  hub: HubClientFactory,
): Promise<HubLookup> {
  try {
    return { hub: await hub.hubIn(ctx.client, ctx.namespace ?? '') };
  } catch (error) {
    if (error instanceof HubConnectionError) return { missing: error };
    throw error;
  }
}

/** Runs `work` with a client logged in to the looked-up hub, and says how it went. */
export async function syncKojiSide<T>(
  ctx: HandlerContext<unknown, unknown>,
  hub: HubClientFactory,
  backoff: FailureBackoff,
  lookup: HubLookup,
  work: (client: KojiClient, hub: KojiHub) => Promise<T>,
): Promise<KojiSide<T>> {
  const key = `${ctx.namespace}/${ctx.name}`;
  try {
    if ('missing' in lookup) throw lookup.missing;
    const connection = await hub.forHub(ctx.client, lookup.hub);
    const value = await work(connection.client, connection.hub);
    backoff.succeeded(key);
    return { state: 'synced', value };
  } catch (error) {
    if (error instanceof HubConnectionError && error.reason === 'HubNotFound') {
      backoff.succeeded(key);
      return { state: 'no-hub', message: error.message };
    }
    const problem = hubProblemOf(error);
    if (!problem) throw error;
    const retryAfterSeconds = backoff.failed(key);
    ctx.logger.warn(`${problem.reason}: ${problem.message}; retrying in ${retryAfterSeconds.toFixed(1)}s`);
    return { state: 'failed', problem, retryAfterSeconds };
  }
}

/**
 * Sets KojiSynced from `side` and Ready from both the pods and `side`; returns when to look
 * again (the sooner of a hub retry and a rollout in progress), or undefined when all is done.
 */
export function reportReadinessWithKoji(
  ctx: HandlerContext<unknown, unknown>,
  what: string,
  readiness: { ready: boolean; readyReplicas: number; desired: number },
  side: KojiSide<unknown>,
  describe: { synced: string; unmanaged: string },
): { requeueAfterSeconds: number } | undefined {
  if (side.state === 'synced') {
    ctx.condition({ type: kojiSyncedCondition, status: 'True', reason: 'InSync', message: describe.synced });
    return reportReadiness(ctx, what, readiness);
  }
  if (side.state === 'no-hub') {
    ctx.condition({
      type: kojiSyncedCondition,
      status: 'Unknown',
      reason: 'NoKojiHub',
      message: `${side.message}, so the operator does not ${describe.unmanaged}; a koji admin does that with the koji CLI`,
    });
    return reportReadiness(ctx, what, readiness);
  }
  const message = `${side.problem.message} (retrying in ${Math.ceil(side.retryAfterSeconds)}s)`;
  ctx.condition({ type: kojiSyncedCondition, status: 'False', reason: side.problem.reason, message });
  // The pods' own progress is still reported in readyReplicas; Ready says what blocks.
  reportReadiness(ctx, what, readiness);
  ctx.condition({
    type: 'Ready',
    status: 'False',
    reason: side.problem.reason,
    message: `${what}: could not ${describe.unmanaged}: ${message}`,
  });
  return { requeueAfterSeconds: side.retryAfterSeconds };
}
