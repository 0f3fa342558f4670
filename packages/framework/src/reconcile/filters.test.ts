import { ABSENT, PRESENT } from '../decorators/options.js';
import { handlerApplies, sharedLabelSelector } from './filters.js';

const object = {
  metadata: { name: 'x', labels: { app: 'koji', tier: 'hub' }, annotations: { note: 'yes' } },
};

test('label and annotation filters: value, present, absent, predicate', () => {
  expect(handlerApplies({ labels: { app: 'koji' } }, object)).toBe(true);
  expect(handlerApplies({ labels: { app: 'other' } }, object)).toBe(false);
  expect(handlerApplies({ labels: { tier: PRESENT, missing: ABSENT } }, object)).toBe(true);
  expect(handlerApplies({ labels: { missing: PRESENT } }, object)).toBe(false);
  expect(handlerApplies({ annotations: { note: (v) => v === 'yes' } }, object)).toBe(true);
  expect(handlerApplies({ when: (o) => o.metadata.name === 'y' }, object)).toBe(false);
});

test('the server-side selector keeps only the label terms every handler shares', () => {
  expect(sharedLabelSelector([{ labels: { app: 'koji', tier: PRESENT } }, { labels: { app: 'koji' } }])).toBe(
    'app=koji',
  );
  expect(sharedLabelSelector([{ labels: { app: 'koji' } }, {}])).toBeUndefined();
  expect(sharedLabelSelector([{ labels: { legacy: ABSENT, fn: () => true } }])).toBe('!legacy');
});
