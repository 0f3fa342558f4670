// Operator-wide periodic resync: every resyncSeconds, each cached object is put through
// processing again, spread evenly over the interval so a large cache does not arrive as one
// burst. One timer is pending at a time, on the operator's clock.
import { Observable } from 'rxjs';
import { realClock, type Clock } from '../time/clock.js';

export function resync$(
  keys: () => string[],
  resyncSeconds: number,
  clock: Clock = realClock,
): Observable<string> {
  const periodMs = resyncSeconds * 1000;
  return new Observable<string>((subscriber) => {
    let cancel = clock.setTimer(periodMs, () => round(clock.now()));
    function round(startedAt: number) {
      const all = keys();
      const gap = all.length > 0 ? periodMs / all.length : 0;
      const emit = (index: number) => {
        if (index >= all.length) {
          cancel = clock.setTimer(startedAt + periodMs - clock.now(), () => round(startedAt + periodMs));
          return;
        }
        subscriber.next(all[index] as string);
        cancel = clock.setTimer(startedAt + (index + 1) * gap - clock.now(), () => emit(index + 1));
      };
      emit(0);
    }
    return () => cancel();
  });
}
