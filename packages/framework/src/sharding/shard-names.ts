// The names sharding writes into the cluster, derived from the operator's name and storage
// prefix so two operators sharding the same kind never read each other's labels:
//   shard label  `shard.<prefix>/<name>: <shardId>`  which replica owns a primary object;
//   drain label  `drain.<prefix>/<name>: <shardId>`  the owner is asked to let it go;
//   member Lease `<name>-shard-<shardId>`, labelled `<prefix>/shard-member-of: <name>` and
//                `<prefix>/shard-id: <shardId>`;
//   sharder Lease `<name>-sharder`.
// A shard id is a replica's identity made a valid label value and DNS label, so one string
// serves as label value, selector term and Lease name part.
// Fails: shardIdOf throws on an identity with no letter or digit at all (nothing to name it by).
import { createHash } from 'node:crypto';

export interface ShardNames {
  shardLabel: string;
  drainLabel: string;
  memberOfLabel: string;
  shardIdLabel: string;
  sharderLease: string;
  memberLease(shardId: string): string;
  /** The label selector of one replica's primaries. */
  selectorFor(shardId: string): string;
}

export function shardNames(operatorName: string, prefix: string): ShardNames {
  return {
    shardLabel: `shard.${prefix}/${operatorName}`,
    drainLabel: `drain.${prefix}/${operatorName}`,
    memberOfLabel: `${prefix}/shard-member-of`,
    shardIdLabel: `${prefix}/shard-id`,
    sharderLease: `${operatorName}-sharder`,
    memberLease: (shardId) => `${operatorName}-shard-${shardId}`,
    selectorFor: (shardId) => `shard.${prefix}/${operatorName}=${shardId}`,
  };
}

const MAX_PLAIN = 50;

/** `koji-operator-7d9c8b-x2x4q` stays; `Host_1.example` -> `host-1-example`; too long -> head + hash. */
export function shardIdOf(identity: string): string {
  const plain = identity
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  if (!plain) throw new Error(`replica identity '${identity}' has no letter or digit to name its shard by`);
  if (plain.length <= MAX_PLAIN && plain === identity) return plain;
  // Anything rewritten gets a hash of the original, so two identities never share an id.
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 8);
  const head = plain.slice(0, MAX_PLAIN - 9).replace(/[^a-z0-9]+$/, '');
  return `${head}-${hash}`;
}
