// Operator-wide periodic resync: every resyncSeconds, each cached object is put through
// processing again, spread evenly over the interval so a large cache does not arrive as one burst.
import { concatMap, from, interval, mergeMap, timer, type Observable } from 'rxjs';

export function resync$(keys: () => string[], resyncSeconds: number): Observable<string> {
  const periodMs = resyncSeconds * 1000;
  return interval(periodMs).pipe(
    concatMap(() => {
      const all = keys();
      const gap = all.length > 0 ? periodMs / all.length : 0;
      return from(all.map((key, index) => ({ key, at: index * gap }))).pipe(
        mergeMap(({ key, at }) => timer(at).pipe(concatMap(() => [key]))),
      );
    }),
  );
}
