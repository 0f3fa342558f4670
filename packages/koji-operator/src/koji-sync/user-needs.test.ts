import { mergeWithNeeds, needsOf, type UserNeed } from './user-needs.js';

const needs: UserNeed[] = [
  { username: 'kojira', permissions: ['repo'], by: 'Kojira kojira' },
  { username: 'kojiweb', permissions: [], by: 'KojiWeb koji-web' },
];

describe('a KojiUser merged with what components need of its user', () => {
  test("kojira's repo is added to a list without it, and said where it comes from", () => {
    const merged = mergeWithNeeds(['tag'], needsOf('kojira', needs, 'kojiadmin'));
    expect(merged).toEqual({
      wanted: ['repo', 'tag'],
      neededBy: ['repo (Kojira kojira)'],
      addedByNeeds: ['repo'],
      adminKept: false,
    });
  });

  test('a list that already has it adds nothing', () => {
    expect(mergeWithNeeds(['repo'], needsOf('kojira', needs, undefined)).addedByNeeds).toEqual([]);
  });

  test('a user nobody needs is exactly its list', () => {
    expect(mergeWithNeeds(['build'], needsOf('alice', needs, 'kojiadmin'))).toEqual({
      wanted: ['build'],
      neededBy: [],
      addedByNeeds: [],
      adminKept: false,
    });
  });

  test("kojiweb's user needs no permission, only to stay enabled", () => {
    expect(mergeWithNeeds([], needsOf('kojiweb', needs, undefined)).neededBy).toEqual([
      'enabled (KojiWeb koji-web)',
    ]);
  });

  test("the operator's admin identity keeps admin, and that is flagged", () => {
    const merged = mergeWithNeeds(['repo'], needsOf('kojiadmin', needs, 'kojiadmin'));
    expect(merged.wanted).toEqual(['admin', 'repo']);
    expect(merged.adminKept).toBe(true);
    expect(mergeWithNeeds(['admin'], needsOf('kojiadmin', needs, 'kojiadmin')).adminKept).toBe(false);
  });
});
