import { parseArgs } from './args.js';

describe('parseArgs', () => {
  test("the proposal's example goes to koji as written", () => {
    expect(parseArgs(['grant-permission', 'repo', 'kojira'])).toEqual({
      kind: 'run',
      options: {},
      kojiArgs: ['grant-permission', 'repo', 'kojira'],
    });
  });

  test('plugin options before the koji command, in every form kubectl accepts', () => {
    expect(
      parseArgs(['-n', 'koji', '--context=prod', '--kubeconfig', '/k', '--hub=h', 'list-users']),
    ).toEqual({
      kind: 'run',
      options: { namespace: 'koji', context: 'prod', kubeconfig: '/k', hub: 'h' },
      kojiArgs: ['list-users'],
    });
    expect(parseArgs(['--namespace=koji', 'x'])).toMatchObject({ options: { namespace: 'koji' } });
    expect(parseArgs(['-nkoji', 'x'])).toMatchObject({ options: { namespace: 'koji' } });
    expect(parseArgs(['-n=koji', 'x'])).toMatchObject({ options: { namespace: 'koji' } });
  });

  test('options after the koji command are koji options, even ones named like the plugin options', () => {
    expect(parseArgs(['list-permissions', '--user', 'kojira', '-n', 'x', '--help'])).toEqual({
      kind: 'run',
      options: {},
      kojiArgs: ['list-permissions', '--user', 'kojira', '-n', 'x', '--help'],
    });
  });

  test('-- ends the plugin options, so koji global options can follow', () => {
    expect(parseArgs(['-n', 'koji', '--', '--quiet', 'list-tags'])).toEqual({
      kind: 'run',
      options: { namespace: 'koji' },
      kojiArgs: ['--quiet', 'list-tags'],
    });
  });

  test('-h and --help before the koji command ask for the plugin help', () => {
    expect(parseArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseArgs(['-n', 'koji', '-h', 'list-users'])).toEqual({ kind: 'help' });
    expect(parseArgs(['--', '--help'])).toEqual({ kind: 'run', options: {}, kojiArgs: ['--help'] });
  });

  test('usage errors say what is wrong', () => {
    expect(parseArgs([])).toEqual({
      kind: 'usage-error',
      message: expect.stringContaining(
        "no koji command given, e.g. 'kubectl koji grant-permission repo kojira'",
      ),
    });
    expect(parseArgs(['-n', 'koji'])).toMatchObject({
      kind: 'usage-error',
      message: expect.stringContaining('no koji command'),
    });
    expect(parseArgs(['--'])).toMatchObject({ kind: 'usage-error' });
    expect(parseArgs(['--hub'])).toEqual({ kind: 'usage-error', message: 'option --hub needs a value' });
    expect(parseArgs(['--context=', 'x'])).toEqual({
      kind: 'usage-error',
      message: 'option --context needs a non-empty value',
    });
    expect(parseArgs(['-n', 'a', '--namespace', 'b', 'x'])).toEqual({
      kind: 'usage-error',
      message: 'option --namespace is given twice with different values',
    });
    expect(parseArgs(['--quiet', 'list-tags'])).toEqual({
      kind: 'usage-error',
      message: expect.stringMatching(
        /^unknown option "--quiet"\. .*put it after --, as in 'kubectl koji -- --quiet \.\.\.'$/,
      ),
    });
  });
});
