import { ReferenceIndex } from './reference-index.js';

test('maps each referenced name to the objects that reference it, following edits', () => {
  const index = new ReferenceIndex();
  index.update('koji/hub', ['koji/ca', 'koji/db']);
  index.update('koji/web', ['koji/ca']);
  expect(index.ownersOf('koji/ca').sort()).toEqual(['koji/hub', 'koji/web']);
  expect(index.ownersOf('koji/db')).toEqual(['koji/hub']);

  index.update('koji/hub', ['koji/ca', 'koji/db2']);
  expect(index.ownersOf('koji/db')).toEqual([]);
  expect(index.ownersOf('koji/db2')).toEqual(['koji/hub']);

  index.remove('koji/web');
  expect(index.ownersOf('koji/ca')).toEqual(['koji/hub']);
  index.update('koji/hub', []);
  expect(index.size).toBe(0);
});
