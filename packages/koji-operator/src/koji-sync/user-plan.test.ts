import { planPermissions } from './user-plan.js';

const known = new Set(['admin', 'repo', 'tag', 'host']);

describe('planPermissions', () => {
  test('exact: grants the missing, revokes the extra, keeps the rest', () => {
    expect(
      planPermissions({
        wanted: ['repo', 'tag'],
        current: ['repo', 'host'],
        known,
        createUnknown: false,
        mode: 'exact',
      }),
    ).toEqual({ grant: [{ permission: 'tag', create: false }], revoke: ['host'], unknown: [] });
  });

  test('in sync: nothing to do', () => {
    expect(
      planPermissions({
        wanted: ['tag', 'repo', 'repo'],
        current: ['repo', 'tag'],
        known,
        createUnknown: false,
        mode: 'exact',
      }),
    ).toEqual({ grant: [], revoke: [], unknown: [] });
  });

  test('an unknown permission is created only when asked, else reported', () => {
    const input = { wanted: ['build'], current: [], known, mode: 'exact' as const };
    expect(planPermissions({ ...input, createUnknown: true }).grant).toEqual([
      { permission: 'build', create: true },
    ]);
    expect(planPermissions({ ...input, createUnknown: false })).toEqual({
      grant: [],
      revoke: [],
      unknown: ['build'],
    });
  });

  test('at-least (service users): never revokes what someone else granted', () => {
    expect(
      planPermissions({ wanted: ['repo'], current: ['tag'], known, createUnknown: false, mode: 'at-least' }),
    ).toEqual({ grant: [{ permission: 'repo', create: false }], revoke: [], unknown: [] });
  });
});
