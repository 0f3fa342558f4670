import { PriorityKeys, type Priority } from './priority-keys.js';

const drain = (keys: PriorityKeys) => {
  const order: string[] = [];
  for (let key = keys.take(); key !== undefined; key = keys.take()) order.push(key);
  return order;
};

test('changes go before wake-ups, wake-ups before background work; FIFO within each', () => {
  const keys = new PriorityKeys(100);
  const add = (key: string, priority: Priority) => keys.add(key, priority);
  add('list-1', 'background');
  add('list-2', 'background');
  add('related-1', 'wake-up');
  add('new-1', 'change');
  add('new-2', 'change');
  expect(drain(keys)).toEqual(['new-1', 'new-2', 'related-1', 'list-1', 'list-2']);
});

test('a key waits once, at the highest priority asked for', () => {
  const keys = new PriorityKeys();
  keys.add('a', 'background');
  keys.add('b', 'background');
  keys.add('a', 'change'); // changed while waiting in the initial list: moves up
  keys.add('a', 'background'); // never down
  expect(keys.size).toBe(2);
  expect(drain(keys)).toEqual(['a', 'b']);
});

test('background work is not starved: it gets a turn after every fairShare higher ones', () => {
  const keys = new PriorityKeys(4);
  for (let i = 0; i < 3; i++) keys.add(`list-${i}`, 'background');
  for (let i = 0; i < 10; i++) keys.add(`change-${i}`, 'change');
  const order = drain(keys);
  expect(order.slice(0, 5)).toEqual(['change-0', 'change-1', 'change-2', 'change-3', 'list-0']);
  expect(order.indexOf('list-1')).toBe(9);
  expect(order.indexOf('list-2')).toBe(12);
});

test('with every level waiting, the lower ones each still get their share', () => {
  const keys = new PriorityKeys(2);
  for (let i = 0; i < 20; i++) {
    keys.add(`c${i}`, 'change');
    keys.add(`w${i}`, 'wake-up');
    keys.add(`b${i}`, 'background');
  }
  const first = drain(keys).slice(0, 12);
  expect(first.filter((k) => k.startsWith('w')).length).toBeGreaterThanOrEqual(3);
  expect(first.filter((k) => k.startsWith('b')).length).toBeGreaterThanOrEqual(3);
});

test('a handover goes before every other key, even changes waiting longer', () => {
  const keys = new PriorityKeys(4);
  for (let i = 0; i < 3; i++) keys.add(`change-${i}`, 'change');
  keys.add('list-0', 'background');
  keys.add('drained', 'handover');
  expect(drain(keys)[0]).toBe('drained');
});
