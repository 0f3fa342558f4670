// An append-only ledger of handler runs written by several operator replicas (one JSON line per
// event), and a pure checker over it: the ground truth for "at most one handler run per object
// at any instant" and "every change handled at least once" when replicas start, die and hand
// objects over. Handlers append `start` before their work and `end` after it (also when it
// fails or is aborted); whoever supervises a replica appends `exit` when its process ends, so a
// run cut short by kill -9 ends at the replica's death instead of staying open.
//
// How it fails: a line that is not one of the three events throws with its line number (a torn
// ledger is a broken test, not a result); an `end` without its `start` throws too.

export type LedgerEntry =
  | { event: 'start'; run: string; replica: string; object: string; change: number; at: number }
  | { event: 'end'; run: string; replica: string; at: number; ok: boolean }
  | { event: 'exit'; replica: string; at: number };

/** One handler run, as the ledger tells it. `to` is undefined while it runs (or hangs). */
export interface LedgeredRun {
  run: string;
  replica: string;
  object: string;
  change: number;
  from: number;
  to: number | undefined;
  /** Finished without error; false when it threw, was aborted, or its replica died in it. */
  ok: boolean;
}

export interface Overlap {
  object: string;
  first: LedgeredRun;
  second: LedgeredRun;
}

export interface LostChange {
  object: string;
  expected: number;
  /** The latest change a run of this object finished; undefined when none did. */
  handled: number | undefined;
}

export interface RunLedgerReport {
  runs: LedgeredRun[];
  /** Two runs of one object at overlapping times (whatever replicas ran them). */
  overlaps: Overlap[];
  /** Objects whose last change no run finished. */
  lost: LostChange[];
  /** Runs still open on a replica that has not exited. */
  stuck: LedgeredRun[];
  /** Times an object's next run was on another replica than its previous one. */
  moves: number;
}

export function formatLedgerEntry(entry: LedgerEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

export function parseLedger(text: string): LedgerEntry[] {
  return text
    .split('\n')
    .map((line, index) => ({ line, number: index + 1 }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, number }) => {
      let entry: unknown;
      try {
        entry = JSON.parse(line);
      } catch {
        throw new Error(`run ledger line ${number} is not JSON: ${line.slice(0, 120)}`);
      }
      if (!isLedgerEntry(entry)) throw new Error(`run ledger line ${number} is no ledger event: ${line}`);
      return entry;
    });
}

function isLedgerEntry(value: unknown): value is LedgerEntry {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  const text = (k: string) => typeof e[k] === 'string';
  const num = (k: string) => typeof e[k] === 'number';
  switch (e.event) {
    case 'start':
      return text('run') && text('replica') && text('object') && num('change') && num('at');
    case 'end':
      return text('run') && text('replica') && num('at') && typeof e.ok === 'boolean';
    case 'exit':
      return text('replica') && num('at');
    default:
      return false;
  }
}

/**
 * The runs, each closed by its `end` or by its replica's `exit`, in start order. An `exit` closes
 * only the runs open at that point of the ledger, so a replica restarted under the same identity
 * starts afresh.
 */
export function ledgeredRuns(entries: LedgerEntry[]): LedgeredRun[] {
  const runs = new Map<string, LedgeredRun>();
  const open = new Map<string, Set<LedgeredRun>>();
  for (const entry of entries) {
    if (entry.event === 'start') {
      const { run, replica, object, change, at } = entry;
      const started: LedgeredRun = { run, replica, object, change, from: at, to: undefined, ok: false };
      runs.set(run, started);
      open.set(replica, (open.get(replica) ?? new Set()).add(started));
    } else if (entry.event === 'end') {
      const run = runs.get(entry.run);
      if (!run) throw new Error(`run ledger: end of run ${entry.run} that never started`);
      run.to = entry.at;
      run.ok = entry.ok;
      open.get(run.replica)?.delete(run);
    } else {
      for (const run of open.get(entry.replica) ?? []) run.to = Math.max(entry.at, run.from);
      open.delete(entry.replica);
    }
  }
  return [...runs.values()].sort((a, b) => a.from - b.from);
}

/**
 * Checks the ledger against `lastChange` (object -> the last spec change the test made). `now`
 * closes runs still open for the overlap check; those on live replicas are also `stuck`.
 */
export function checkRunLedger(
  entries: LedgerEntry[],
  lastChange: ReadonlyMap<string, number>,
  now: number,
): RunLedgerReport {
  const runs = ledgeredRuns(entries);
  const byObject = new Map<string, LedgeredRun[]>();
  for (const run of runs) byObject.set(run.object, [...(byObject.get(run.object) ?? []), run]);

  const overlaps: Overlap[] = [];
  let moves = 0;
  for (const [object, list] of byObject) {
    // In start order: a run overlaps an earlier one when it starts before that one ends.
    for (let i = 0; i < list.length; i++) {
      const first = list[i] as LedgeredRun;
      for (let j = i + 1; j < list.length; j++) {
        const second = list[j] as LedgeredRun;
        if (second.from >= (first.to ?? now)) continue;
        overlaps.push({ object, first, second });
      }
      if (i > 0 && (list[i - 1] as LedgeredRun).replica !== first.replica) moves++;
    }
  }

  const lost: LostChange[] = [];
  for (const [object, expected] of lastChange) {
    const finished = (byObject.get(object) ?? []).filter((r) => r.ok);
    if (finished.some((r) => r.change === expected)) continue;
    lost.push({ object, expected, handled: finished.at(-1)?.change });
  }
  const stuck = runs.filter((r) => r.to === undefined);
  return { runs, overlaps, lost, stuck, moves };
}

/** One line per problem, for a test's failure message and log. */
export function describeRunLedger(report: RunLedgerReport): string[] {
  const at = (r: LedgeredRun) => `${r.replica} ${r.from}..${r.to ?? 'open'}`;
  return [
    ...report.overlaps.map(
      (o) =>
        `overlap ${o.object}: ${at(o.first)} (change ${o.first.change}) and ${at(o.second)} (change ${o.second.change})`,
    ),
    ...report.lost.map((l) => `lost ${l.object}: last change ${l.expected}, handled ${l.handled ?? 'none'}`),
    ...report.stuck.map((r) => `stuck ${r.object}: ${at(r)} (change ${r.change})`),
  ];
}
