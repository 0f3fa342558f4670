// Sharding's metrics, registered on the operator's registry. The sharder's figures are
// exported by the replica that runs the sharder (the others export nothing for them).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class ShardMetrics {
  readonly objects: Gauge<'resource' | 'shard'>;
  readonly members: Gauge;
  readonly moves: Counter<'resource' | 'reason'>;
  readonly drainSeconds: Histogram<'resource'>;
  readonly drains: Counter<'controller'>;
  readonly sharder: Gauge;
  /** Read at scrape time: objects per shard as the sharder's caches hold them. */
  objectCounts: () => { resource: string; shard: string; count: number }[] = () => [];

  constructor(registry: Registry) {
    const read = () => this.objectCounts();
    this.objects = new Gauge({
      name: 'operator_shard_objects',
      help: 'Objects assigned to each shard (sharder only)',
      labelNames: ['resource', 'shard'] as const,
      registers: [registry],
      collect() {
        this.reset();
        for (const { resource, shard, count } of read()) this.set({ resource, shard }, count);
      },
    });
    this.members = new Gauge({
      name: 'operator_shard_members',
      help: 'Replicas with a live member Lease (sharder only)',
      registers: [registry],
    });
    this.moves = new Counter({
      name: 'operator_shard_moves_total',
      help: 'Objects moved between shards, by reason: rebalance (drained) or owner-gone (Lease expired) (sharder only)',
      labelNames: ['resource', 'reason'] as const,
      registers: [registry],
    });
    this.drainSeconds = new Histogram({
      name: 'operator_shard_drain_seconds',
      help: 'From asking an owner to drain an object to its acknowledgement (sharder only)',
      labelNames: ['resource'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    });
    this.drains = new Counter({
      name: 'operator_shard_drains_total',
      help: 'Objects this replica let go of when asked to drain them',
      labelNames: ['controller'] as const,
      registers: [registry],
    });
    this.sharder = new Gauge({
      name: 'operator_shard_sharder',
      help: '1 while this replica runs the sharder',
      registers: [registry],
    });
  }
}
