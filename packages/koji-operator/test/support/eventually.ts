// The repository's polling helper, with a longer default wait: Koji workloads go through the
// scheduler, KWOK and the garbage collector before a user sees them settle.
import { eventually as poll } from '../../../../test/support/eventually.ts';

export const eventually: typeof poll = (check, options = {}) =>
  poll(check, { timeoutMs: 60_000, intervalMs: 250, ...options });
