// What a user sets to shard an operator's objects across its replicas, and the settings the
// runtime derives from it. Off unless `sharding` is given.
// Fails: resolveSharding throws (a clear message, at construction) when no Lease namespace is
// known, the timings are inconsistent, or the identity cannot name a shard.
import { hostname } from 'node:os';
import type { ShardKey } from './hash-ring.js';
import { shardIdOf, shardNames, type ShardNames } from './shard-names.js';

export interface ShardingOptions {
  /**
   * 'auto': the replicas expected are this pod's Deployment's `spec.replicas`; a number: that
   * many. Only the first assignment waits for them (up to settleSeconds); the ring itself is
   * always the replicas whose Leases are live.
   */
  shards: 'auto' | number;
  /** What objects are spread by: 'uid' (default), or 'namespace' (a namespace's objects together). */
  key?: ShardKey;
  /** Namespace of the member and sharder Leases (default POD_NAMESPACE). */
  leaseNamespace?: string;
  /** This replica's identity (default POD_NAME, else `<hostname>-<pid>`); unique per live process. */
  identity?: string;
  /** client-go timings of the member and sharder Leases (defaults 15 / 10 / 2 s). */
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  /** How long a first assignment waits for the expected replicas (default leaseDurationSeconds). */
  settleSeconds?: number;
}

export interface ShardingSettings {
  identity: string;
  shardId: string;
  names: ShardNames;
  key: ShardKey;
  leaseNamespace: string;
  shards: 'auto' | number;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
  settleMs: number;
}

export function resolveSharding(
  options: ShardingOptions,
  operatorName: string,
  prefix: string,
  env: NodeJS.ProcessEnv = process.env,
): ShardingSettings {
  const leaseNamespace = options.leaseNamespace ?? env.POD_NAMESPACE;
  if (!leaseNamespace)
    throw new Error('sharding needs a Lease namespace: set sharding.leaseNamespace or POD_NAMESPACE');
  if (options.shards !== 'auto' && !(Number.isInteger(options.shards) && options.shards >= 1))
    throw new Error(`sharding.shards must be 'auto' or a whole number >= 1, got ${String(options.shards)}`);
  if (options.key !== undefined && options.key !== 'uid' && options.key !== 'namespace')
    throw new Error(`sharding.key must be 'uid' or 'namespace', got ${String(options.key)}`);
  const leaseDurationSeconds = options.leaseDurationSeconds ?? 15;
  const renewDeadlineSeconds = options.renewDeadlineSeconds ?? 10;
  const retryPeriodSeconds = options.retryPeriodSeconds ?? 2;
  if (!(leaseDurationSeconds > renewDeadlineSeconds && renewDeadlineSeconds > retryPeriodSeconds))
    throw new Error('sharding needs leaseDurationSeconds > renewDeadlineSeconds > retryPeriodSeconds');
  const identity = options.identity ?? env.POD_NAME ?? `${hostname()}-${process.pid}`;
  return {
    identity,
    shardId: shardIdOf(identity),
    names: shardNames(operatorName, prefix),
    key: options.key ?? 'uid',
    leaseNamespace,
    shards: options.shards,
    leaseDurationSeconds,
    renewDeadlineSeconds,
    retryPeriodSeconds,
    settleMs: (options.settleSeconds ?? leaseDurationSeconds) * 1000,
  };
}
