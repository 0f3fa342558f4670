import { PreviousStates } from './previous-states.js';

const secret = (v: string) => ({ metadata: { name: 's', namespace: 'n', resourceVersion: v } });

test('a change nobody references keeps nothing', () => {
  const states = new PreviousStates();
  states.record('n/s', secret('1'), []);
  expect(states.size).toBe(0);
  expect(states.get('n/s')).toBeUndefined();
});

test('the previous state is kept until every referrer has run on the change', () => {
  const states = new PreviousStates();
  states.record('n/s', secret('1'), ['n/a#h', 'n/b#h']);
  states.settle('n/s', 'n/a#h');
  expect(states.get('n/s')).toEqual(secret('1'));
  states.settle('n/s', 'n/b#h');
  expect(states.get('n/s')).toBeUndefined();
  expect(states.size).toBe(0);
});

test('a second change before the handlers ran keeps the state they last saw', () => {
  const states = new PreviousStates();
  states.record('n/s', secret('1'), ['n/a#h']);
  states.record('n/s', secret('2'), ['n/a#h']);
  expect(states.get('n/s')).toEqual(secret('1'));
});

test('a referrer that goes away waits for nothing', () => {
  const states = new PreviousStates();
  states.record('n/s', secret('1'), ['n/a#h']);
  states.record('n/t', secret('1'), ['n/a#h', 'n/b#h']);
  states.forget('n/a#h');
  expect(states.size).toBe(1);
  states.forget('n/b#h');
  expect(states.size).toBe(0);
});
