import { detectCauses, type CauseInput } from './causes.js';

const base: CauseInput = {
  deleting: false,
  hasFinalizer: false,
  handledBefore: false,
  essenceChanged: false,
  resumePending: false,
};

test('an object never handled is created', () => {
  expect(detectCauses(base)).toEqual(['create']);
});

test('a handled object whose essence changed is updated; unchanged is a no-op', () => {
  expect(detectCauses({ ...base, handledBefore: true, essenceChanged: true })).toEqual(['update']);
  expect(detectCauses({ ...base, handledBefore: true })).toEqual([]);
});

test('after an operator restart, handled objects resume, then get their pending update', () => {
  expect(detectCauses({ ...base, handledBefore: true, resumePending: true })).toEqual(['resume']);
  expect(detectCauses({ ...base, handledBefore: true, resumePending: true, essenceChanged: true })).toEqual([
    'resume',
    'update',
  ]);
});

test('deletion is ours only while our finalizer is on the object', () => {
  expect(detectCauses({ ...base, deleting: true, hasFinalizer: true })).toEqual(['delete']);
  expect(detectCauses({ ...base, deleting: true, hasFinalizer: false })).toEqual([]);
});
