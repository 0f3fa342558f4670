// The handoff protocol as pure decisions, one for each side, from an object's two sharding
// labels, the member Leases as observed, and the time:
//
//   sharder (one, leader-elected)                 owner (the replica named by the shard label)
//   no shard label        -> assign: shard=<ring owner>
//   owner's Lease gone    -> move: shard=<ring owner>, drain removed (nothing can be running:
//                            a replica stops writing and handling renewDeadline after its last
//                            renewal, before leaseDuration ends)
//   owner != ring owner   -> drain: drain=<owner>        drain label seen -> no new run; the one
//                                                         in flight ends (runs of an object are
//                                                         serialised); daemons are stopped; then
//                                                         ack: both labels removed in one write
//   drain label present   -> wait for the ack             (a later run of the object is skipped)
//   unassigned again      -> assign: shard=<ring owner>  (the label write that moves it)
//
// So the new owner's label is written only once the old owner has let go or is dead, and
// never are two replicas' labels on one object: at most one handler run per object at a time.
// Fails: never (pure).
import { isLive, type ObservedLease } from './member-liveness.js';

export interface ShardLabels {
  shard: string | undefined;
  drain: string | undefined;
}

export type SharderAction =
  | { kind: 'none' }
  | { kind: 'wait-drain'; owner: string }
  | { kind: 'assign'; to: string }
  | { kind: 'move'; from: string; to: string }
  | { kind: 'drain'; owner: string; to: string };

export interface SharderView {
  labels: ShardLabels;
  /** The ring's owner for this object among the live members; undefined: no live member. */
  desired: string | undefined;
  leases: ReadonlyMap<string, ObservedLease>;
  now: number;
  /** False until the expected replicas joined (or the settle time passed): nothing moves yet. */
  settled: boolean;
}

export function sharderAction({ labels, desired, leases, now, settled }: SharderView): SharderAction {
  const { shard, drain } = labels;
  if (!settled || desired === undefined) return { kind: 'none' };
  if (shard === undefined) return { kind: 'assign', to: desired };
  if (!isLive(leases.get(shard), now)) return { kind: 'move', from: shard, to: desired };
  if (drain !== undefined) return { kind: 'wait-drain', owner: shard };
  if (shard !== desired) return { kind: 'drain', owner: shard, to: desired };
  return { kind: 'none' };
}

export type OwnerAction = 'run' | 'drain' | 'skip';

/** What the replica `me` does with an object it has cached, when the object's turn comes. */
export function ownerAction(labels: ShardLabels, me: string): OwnerAction {
  if (labels.shard !== me) return 'skip';
  return labels.drain !== undefined ? 'drain' : 'run';
}

/** The two sharding labels of an object. */
export function shardLabelsOf(
  labels: Record<string, string> | undefined,
  names: { shardLabel: string; drainLabel: string },
): ShardLabels {
  return { shard: labels?.[names.shardLabel], drain: labels?.[names.drainLabel] };
}
