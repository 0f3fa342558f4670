import { parseCommandLine } from './run.js';
import { UsageError } from './usage-error.js';

test('flags and environment variables give the operator options', () => {
  const { module, options } = parseCommandLine(
    [
      'run',
      './dist/main.js',
      '--namespace',
      'koji',
      '--namespace',
      'koji2',
      '--health-port',
      '8080',
      '--leader-elect',
      '--state-storage',
      'annotations',
    ],
    { OPERATOR_NAME: 'koji-operator', OPERATOR_RESYNC_SECONDS: '300' },
  );
  expect(module).toBe('./dist/main.js');
  expect(options).toMatchObject({
    name: 'koji-operator',
    namespaces: ['koji', 'koji2'],
    healthPort: 8080,
    resyncSeconds: 300,
    stateStorage: 'annotations',
    leaderElection: { namespace: 'koji', name: 'koji-operator-leader' },
  });
});

test('environment alone is enough for an image', () => {
  const { options } = parseCommandLine(['run', 'm.js'], {
    OPERATOR_NAMESPACES: 'a,b',
    OPERATOR_LEADER_ELECT: 'true',
    POD_NAMESPACE: 'ops',
  });
  expect(options.namespaces).toEqual(['a', 'b']);
  expect(options.leaderElection?.namespace).toBe('ops');
});

test('bad input is a usage error with a message', () => {
  expect(() => parseCommandLine(['serve'], {})).toThrow(UsageError);
  expect(() => parseCommandLine(['run', 'm.js'], { OPERATOR_STATE_STORAGE: 'etcd' })).toThrow(
    /--state-storage takes auto or annotations/,
  );
  expect(() => parseCommandLine(['run', 'm.js', '--health-port', 'x'], {})).toThrow(
    "--health-port must be a number >= 0, got 'x'",
  );
  expect(() => parseCommandLine(['run', 'm.js', '--leader-elect'], {})).toThrow(
    '--leader-elect needs --lease-namespace',
  );
});

test('--shards turns sharding on with the Lease flags; the environment does too', () => {
  const { options } = parseCommandLine(
    [
      'run',
      'm.js',
      '--shards',
      '3',
      '--shard-key',
      'namespace',
      '--lease-namespace',
      'ops',
      '--lease-duration',
      '4',
    ],
    {},
  );
  expect(options.sharding).toMatchObject({
    shards: 3,
    key: 'namespace',
    leaseNamespace: 'ops',
    leaseDurationSeconds: 4,
  });
  expect(options.leaderElection).toBeUndefined();
  const fromEnv = parseCommandLine(['run', 'm.js'], {
    OPERATOR_SHARDS: 'auto',
    POD_NAMESPACE: 'ops',
  }).options;
  expect(fromEnv.sharding).toMatchObject({ shards: 'auto', leaseNamespace: 'ops' });
  expect(parseCommandLine(['run', 'm.js'], {}).options.sharding).toBeUndefined();
});

test('bad sharding input is a usage error with a message', () => {
  const ns = ['--lease-namespace', 'ops'];
  expect(() => parseCommandLine(['run', 'm.js', '--shards', 'many', ...ns], {})).toThrow(
    "--shards takes auto or a whole number >= 1, got 'many'",
  );
  expect(() => parseCommandLine(['run', 'm.js', '--shards', '2', '--shard-key', 'name', ...ns], {})).toThrow(
    "--shard-key takes uid or namespace, got 'name'",
  );
  expect(() => parseCommandLine(['run', 'm.js', '--shards', '2', '--leader-elect', ...ns], {})).toThrow(
    '--shards and --leader-elect exclude each other',
  );
  expect(() => parseCommandLine(['run', 'm.js', '--shards', 'auto'], {})).toThrow(
    '--shards needs --lease-namespace',
  );
});
