// A replica's side of sharding: which of its primaries it may run, and letting one go.
// Its primaries are watched with `selector` (shard label = its shard id), so its caches hold
// only its objects; secondary kinds (owned, related, @Watches) wake only keys found in them.
// When an object's turn comes (runs of one object are serialised by the work queue, so
// nothing else of it runs then), `decide` says run, skip (the label moved on and the cache has
// not caught up), or drain: the controller then releases the object's daemons and the
// processor's memory of it, and `acknowledge` removes both labels in one write conditioned on
// the version it drained, so the sharder may hand the object on.
// Fails: acknowledge returns false on 409 (the object changed since: its newer version comes
// through the watch and drains again) and on 404 (gone); other errors throw, and the
// controller retries the run with its usual backoff. The write goes through the replica's
// write gate: a replica whose member Lease lapsed writes nothing.
import type { KubeClient } from '../kube/client.js';
import { isApiError } from '../kube/errors.js';
import { objectKey, type KubeObject } from '../kube/object.js';
import type { ResourceRef } from '../kube/resource.js';
import type { Logger } from '../logging/logger.js';
import { ownerAction, shardLabelsOf, type OwnerAction } from './handoff.js';
import type { ShardNames } from './shard-names.js';

export class ShardOwner {
  /** Objects this replica let go of, until the watch reports them gone from its share (or back). */
  private readonly handedOver = new Set<string>();

  constructor(
    readonly names: ShardNames,
    readonly shardId: string,
    private readonly deps: { client: KubeClient; logger: Logger; onDrained?: (controller: string) => void },
  ) {}

  /** The label selector of this replica's primaries. */
  get selector(): string {
    return this.names.selectorFor(this.shardId);
  }

  decide(object: KubeObject): OwnerAction {
    return ownerAction(shardLabelsOf(object.metadata.labels, this.names), this.shardId);
  }

  /**
   * The watch reports `key` gone from this replica's share: true if that is because it was
   * handed over (not deleted), so it is neither disowned nor reported as DELETED to @OnEvent.
   */
  leftByHandover(key: string): boolean {
    return this.handedOver.has(key);
  }

  /**
   * The watch brought a version of an object. Only one labelled for this replica and not being
   * drained means it is (back) in its share: versions from before the acknowledgement can still
   * arrive after it, and they all carry the drain label.
   */
  seen(object: KubeObject): void {
    if (this.decide(object) === 'run') this.handedOver.delete(objectKey(object));
  }

  async acknowledge(resource: ResourceRef, object: KubeObject, controller: string): Promise<boolean> {
    const { namespace, name = '', resourceVersion } = object.metadata;
    const { shardLabel, drainLabel } = this.names;
    const key = objectKey(object);
    // Before the write: the watch can report the object gone before the write's response comes.
    this.handedOver.add(key);
    try {
      await this.deps.client.mergePatch(resource, namespace, name, {
        metadata: { resourceVersion, labels: { [shardLabel]: null, [drainLabel]: null } },
      });
    } catch (error) {
      this.handedOver.delete(key);
      if (isApiError(error, 409) || isApiError(error, 404)) return false;
      throw error;
    }
    this.deps.logger.info('drained: handed over to the sharder', { namespace, name });
    this.deps.onDrained?.(controller);
    return true;
  }
}
