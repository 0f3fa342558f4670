import { kojiShardKeyEnv, ShardKeyError } from './shard-key.js';

test('sharding is by namespace unless the key is given', () => {
  expect(kojiShardKeyEnv(['--namespace', 'koji', '--shards', 'auto'], {})).toEqual({
    OPERATOR_SHARD_KEY: 'namespace',
  });
  expect(kojiShardKeyEnv([], { OPERATOR_SHARDS: 'auto' })).toEqual({ OPERATOR_SHARD_KEY: 'namespace' });
  expect(kojiShardKeyEnv(['--shard-key', 'namespace'], {})).toEqual({});
  expect(kojiShardKeyEnv(['--shard-key=namespace'], {})).toEqual({});
  expect(kojiShardKeyEnv([], { OPERATOR_SHARD_KEY: 'namespace' })).toEqual({});
});

test('any other shard key is refused with the reason, from a flag or the environment', () => {
  expect(() => kojiShardKeyEnv(['--shard-key', 'uid'], {})).toThrow(ShardKeyError);
  expect(() => kojiShardKeyEnv(['--shard-key=uid'], {})).toThrow(
    "shards by namespace only (got shard key 'uid')",
  );
  expect(() => kojiShardKeyEnv([], { OPERATOR_SHARD_KEY: 'uid' })).toThrow(
    'KojiHub is shared by its KojiWeb',
  );
  // The flag wins over the environment, as in the framework's CLI.
  expect(kojiShardKeyEnv(['--shard-key', 'namespace'], { OPERATOR_SHARD_KEY: 'uid' })).toEqual({});
});
