// The sharder's view of the membership: every replica keeps a Lease of its own
// (`<name>-shard-<shardId>`, renewed by a LeaderElector with itself as the only candidate, see
// runtime/operator.ts), and this watches them all (one label-selected watch) and tells which
// are live, on its clock, the client-go way (member-liveness.ts). It calls `onChange` only
// when the set of live members changes: a renewal of a live member is not a change, an expiry
// noticed on the clock is.
// Fails: a watch that cannot list keeps `synced` false (the sharder then moves nothing);
// confirmGone treats a Lease it cannot read (other than 404) as live, so an apiserver hiccup
// never moves an object away from a replica that may still run it.
import type { KubeClient } from '../kube/client.js';
import { isApiError } from '../kube/errors.js';
import type { KubeObject } from '../kube/object.js';
import { CoreResources } from '../kube/resource.js';
import type { Subscription } from 'rxjs';
import type { Clock } from '../time/clock.js';
import type { InformerFactory } from '../watch/informer-factory.js';
import { liveMembers, nextExpiry, observe, isLive, type ObservedLease } from './member-liveness.js';
import type { ShardNames } from './shard-names.js';

type LeaseSpec = {
  holderIdentity?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number;
  leaseDurationSeconds?: number;
};

export interface MemberLeasesDeps {
  informers: InformerFactory;
  client: KubeClient;
  clock: Clock;
  names: ShardNames;
  operatorName: string;
  namespace: string;
  onChange: () => void;
}

export class MemberLeases {
  private readonly observed = new Map<string, ObservedLease>();
  private subscription: Subscription | undefined;
  private cancelTimer: () => void = () => {};
  private liveKey = '';
  private isSynced = false;

  constructor(private readonly deps: MemberLeasesDeps) {}

  start(): void {
    const { informers, names, namespace, operatorName } = this.deps;
    const informer = informers.informer({
      resource: CoreResources.lease,
      namespace,
      labelSelector: `${names.memberOfLabel}=${operatorName}`,
    });
    this.subscription = informer.events$.subscribe((event) => {
      if (event.type === 'synced') {
        this.isSynced = true;
        this.deps.onChange();
        return;
      }
      const id = event.object.metadata.labels?.[names.shardIdLabel];
      if (!id) return;
      if (event.type === 'delete') this.observed.delete(id);
      else this.record(id, event.object as KubeObject<LeaseSpec>);
      this.recheck();
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.cancelTimer();
  }

  /** The Leases have been listed: absent means gone, not unknown. */
  get synced(): boolean {
    return this.isSynced;
  }

  get leases(): ReadonlyMap<string, ObservedLease> {
    return this.observed;
  }

  live(): string[] {
    return liveMembers(this.observed, this.deps.clock.now());
  }

  /**
   * Before anything moves away from a replica because its Lease looks expired: reads the Lease
   * afresh (not from the watch, which may lag), and true only if it really is gone.
   */
  async confirmGone(id: string): Promise<boolean> {
    const { client, names, namespace } = this.deps;
    try {
      const lease = await client.get<KubeObject<LeaseSpec>>(
        CoreResources.lease,
        namespace,
        names.memberLease(id),
      );
      this.record(id, lease);
    } catch (error) {
      if (!isApiError(error, 404)) return false;
      this.observed.delete(id);
    }
    this.recheck();
    return !isLive(this.observed.get(id), this.deps.clock.now());
  }

  private record(id: string, lease: KubeObject<LeaseSpec>): void {
    this.observed.set(id, observe(this.observed.get(id), lease.spec ?? {}, this.deps.clock.now()));
  }

  /** Tells onChange if the live set changed; wakes up again when the next member would expire. */
  private recheck(): void {
    const now = this.deps.clock.now();
    const key = liveMembers(this.observed, now).sort().join(',');
    this.cancelTimer();
    const next = nextExpiry(this.observed, now);
    if (next !== undefined) this.cancelTimer = this.deps.clock.setTimer(next - now, () => this.recheck());
    if (key === this.liveKey) return;
    this.liveKey = key;
    if (this.isSynced) this.deps.onChange();
  }
}
