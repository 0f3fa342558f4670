import {
  checkRunLedger,
  describeRunLedger,
  formatLedgerEntry,
  parseLedger,
  type LedgerEntry,
} from './run-ledger.js';

const start = (run: string, replica: string, object: string, change: number, at: number): LedgerEntry => ({
  event: 'start',
  run,
  replica,
  object,
  change,
  at,
});
const end = (run: string, replica: string, at: number, ok = true): LedgerEntry => ({
  event: 'end',
  run,
  replica,
  at,
  ok,
});
const exit = (replica: string, at: number): LedgerEntry => ({ event: 'exit', replica, at });
const last = (entries: [string, number][]) => new Map(entries);

test('a clean handoff (the new owner starts after the old one ended) is no overlap, one move', () => {
  const entries = [
    start('a1', 'a', 'ns/x', 1, 100),
    end('a1', 'a', 150),
    start('b1', 'b', 'ns/x', 2, 150),
    end('b1', 'b', 200),
  ];
  const report = checkRunLedger(entries, last([['ns/x', 2]]), 1000);
  expect(report.overlaps).toEqual([]);
  expect(report.lost).toEqual([]);
  expect(report.stuck).toEqual([]);
  expect(report.moves).toBe(1);
});

test('two replicas running one object at overlapping times are caught', () => {
  const entries = [
    start('a1', 'a', 'ns/x', 1, 100),
    start('b1', 'b', 'ns/x', 1, 140),
    end('a1', 'a', 150),
    end('b1', 'b', 190),
    // Another object, run by both one after the other: fine.
    start('a2', 'a', 'ns/y', 1, 100),
    end('a2', 'a', 120),
    start('b2', 'b', 'ns/y', 1, 130),
    end('b2', 'b', 160),
  ];
  const report = checkRunLedger(entries, last([]), 1000);
  expect(report.overlaps.map((o) => [o.object, o.first.replica, o.second.replica])).toEqual([
    ['ns/x', 'a', 'b'],
  ]);
  expect(describeRunLedger(report)).toEqual([
    'overlap ns/x: a 100..150 (change 1) and b 140..190 (change 1)',
  ]);
});

test('a run contained in another one, or two runs in one replica at once, overlap too', () => {
  const entries = [
    start('a1', 'a', 'ns/x', 1, 100),
    start('b1', 'b', 'ns/x', 2, 110),
    end('b1', 'b', 120),
    end('a1', 'a', 300),
    start('a2', 'a', 'ns/z', 1, 100),
    start('a3', 'a', 'ns/z', 2, 101),
    end('a2', 'a', 150),
    end('a3', 'a', 151),
  ];
  const report = checkRunLedger(entries, last([]), 1000);
  expect(report.overlaps.map((o) => `${o.object} ${o.first.run} ${o.second.run}`)).toEqual([
    'ns/x a1 b1',
    'ns/z a2 a3',
  ]);
});

test('a run cut by kill -9 lasts until its replica exited: overlapping a takeover before that is caught', () => {
  const killed = [start('a1', 'a', 'ns/x', 1, 100), exit('a', 500)];
  const early = checkRunLedger(
    [...killed, start('b1', 'b', 'ns/x', 1, 400), end('b1', 'b', 450)],
    last([]),
    1000,
  );
  expect(early.overlaps).toHaveLength(1);
  expect(early.stuck).toEqual([]);
  const late = checkRunLedger(
    [...killed, start('b1', 'b', 'ns/x', 1, 500), end('b1', 'b', 550)],
    last([['ns/x', 1]]),
    1000,
  );
  expect(late.overlaps).toEqual([]);
  expect(late.lost).toEqual([]);
  // The killed run did not finish: only b's run handled change 1.
  expect(late.runs.find((r) => r.run === 'a1')).toMatchObject({ to: 500, ok: false });
});

test('a replica restarted under the same identity: its old exit does not close its new runs', () => {
  const entries = [
    start('a1', 'a', 'ns/x', 1, 100),
    exit('a', 150),
    start('a2', 'a', 'ns/x', 2, 200),
    start('a3', 'a', 'ns/y', 2, 210),
    end('a3', 'a', 260),
  ];
  const report = checkRunLedger(entries, last([['ns/y', 2]]), 1000);
  expect(report.runs.find((r) => r.run === 'a1')).toMatchObject({ to: 150, ok: false });
  expect(report.stuck.map((r) => r.run)).toEqual(['a2']);
  expect(report.lost).toEqual([]);
});

test('a run still open on a live replica is stuck, and overlaps whatever starts after it', () => {
  const entries = [start('a1', 'a', 'ns/x', 1, 100), start('b1', 'b', 'ns/x', 1, 900), end('b1', 'b', 950)];
  const report = checkRunLedger(entries, last([['ns/x', 1]]), 1000);
  expect(report.stuck.map((r) => r.run)).toEqual(['a1']);
  expect(report.overlaps).toHaveLength(1);
});

test('the last change not finished by any run is lost, even when an earlier one was', () => {
  const entries = [
    start('a1', 'a', 'ns/x', 1, 100),
    end('a1', 'a', 150),
    // Change 2 was started, then aborted (drained) and never run again.
    start('a2', 'a', 'ns/x', 2, 200),
    end('a2', 'a', 220, false),
    start('a3', 'a', 'ns/y', 3, 200),
    end('a3', 'a', 250),
  ];
  const report = checkRunLedger(
    entries,
    last([
      ['ns/x', 2],
      ['ns/y', 3],
      ['ns/never', 0],
    ]),
    1000,
  );
  expect(report.lost).toEqual([
    { object: 'ns/x', expected: 2, handled: 1 },
    { object: 'ns/never', expected: 0, handled: undefined },
  ]);
  expect(describeRunLedger(report)).toEqual([
    'lost ns/x: last change 2, handled 1',
    'lost ns/never: last change 0, handled none',
  ]);
});

test('the ledger round-trips through its text form and refuses a torn or foreign line', () => {
  const entries = [start('a1', 'a', 'ns/x', 1, 100), end('a1', 'a', 150), exit('a', 160)];
  expect(parseLedger(entries.map(formatLedgerEntry).join(''))).toEqual(entries);
  expect(() => parseLedger('{"event":"start","run":"a1"')).toThrow('run ledger line 1 is not JSON');
  expect(() => parseLedger(`${formatLedgerEntry(exit('a', 1))}{"event":"begin"}\n`)).toThrow(
    'run ledger line 2 is no ledger event',
  );
  expect(() => checkRunLedger([end('zz', 'a', 1)], last([]), 2)).toThrow('end of run zz that never started');
});
