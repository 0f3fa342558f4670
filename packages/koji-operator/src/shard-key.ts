// The Koji operator shards by namespace only: a namespace's KojiHub is read by its KojiWeb,
// Kojira, KojiBuilder and KojiUser (and one Kojira serves a namespace), so they must all be
// run by the replica that caches that hub. When sharding is on (--shards / OPERATOR_SHARDS),
// this makes `namespace` the framework's shard key unless it is given, and refuses any other.
//
// How it fails: `--shard-key uid` (or OPERATOR_SHARD_KEY=uid) throws a ShardKeyError saying
// why; nothing is started then.

export class ShardKeyError extends Error {}

/** The environment to add for the framework's CLI (OPERATOR_SHARD_KEY), given its arguments and environment. */
export function kojiShardKeyEnv(argv: readonly string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const flag = argv.findIndex((a) => a === '--shard-key' || a.startsWith('--shard-key='));
  const given = flag < 0 ? env.OPERATOR_SHARD_KEY : (argv[flag]?.split(/=(.*)/s, 2)[1] ?? argv[flag + 1]);
  if (given !== undefined && given !== '' && given !== 'namespace')
    throw new ShardKeyError(
      `the Koji operator shards by namespace only (got shard key '${given}'): a namespace's KojiHub ` +
        'is shared by its KojiWeb, Kojira, KojiBuilder and KojiUser, which must run in the replica that caches it',
    );
  return given === 'namespace' ? {} : { OPERATOR_SHARD_KEY: 'namespace' };
}
