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
