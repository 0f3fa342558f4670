// Reads the run log of test/fixtures/sharded-operator.mjs and checks it: which runs of one
// object by different processes overlapped in time. A run whose process was killed has no end
// line: it counts as running until that process's kill time (or for ever, if unknown).
import { readFileSync } from 'node:fs';

export interface RunLogLine {
  event: 'start' | 'end';
  replica: string;
  pid: number;
  key: string;
  n: number;
  t: number;
}

export interface Run {
  replica: string;
  pid: number;
  key: string;
  n: number;
  start: number;
  end: number;
}

export function readRunLog(file: string): RunLogLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RunLogLine);
}

/** Pairs start and end lines into runs (per process and object, in order). */
export function runsOf(lines: RunLogLine[], killedAt: ReadonlyMap<number, number> = new Map()): Run[] {
  const open = new Map<string, RunLogLine>();
  const runs: Run[] = [];
  for (const line of lines) {
    const id = `${line.pid} ${line.key}`;
    if (line.event === 'start') open.set(id, line);
    else {
      const start = open.get(id);
      open.delete(id);
      if (start) runs.push({ ...start, start: start.t, end: line.t });
    }
  }
  for (const start of open.values())
    runs.push({ ...start, start: start.t, end: killedAt.get(start.pid) ?? Number.POSITIVE_INFINITY });
  return runs;
}

/** Pairs of runs of one object by different processes whose times overlap. */
export function overlappingRuns(runs: Run[]): [Run, Run][] {
  const byKey = new Map<string, Run[]>();
  for (const run of runs) byKey.set(run.key, [...(byKey.get(run.key) ?? []), run]);
  const overlaps: [Run, Run][] = [];
  for (const list of byKey.values()) {
    list.sort((a, b) => a.start - b.start);
    for (let i = 0; i < list.length; i++)
      for (let j = i + 1; j < list.length && (list[j] as Run).start < (list[i] as Run).end; j++)
        if ((list[j] as Run).pid !== (list[i] as Run).pid) overlaps.push([list[i] as Run, list[j] as Run]);
  }
  return overlaps;
}
