// Whether a handler applies to an object: its labels/annotations filters and `when` predicate.
import { ABSENT, PRESENT, type HandlerOptions, type ValueFilter } from '../decorators/options.js';
import type { KubeObject } from '../kube/object.js';

function matches(
  values: Record<string, string> | undefined,
  filters: Record<string, ValueFilter> | undefined,
): boolean {
  if (!filters) return true;
  return Object.entries(filters).every(([key, filter]) => {
    const value = values?.[key];
    if (filter === PRESENT) return value !== undefined;
    if (filter === ABSENT) return value === undefined;
    if (typeof filter === 'function') return filter(value);
    return value === filter;
  });
}

export function handlerApplies(options: HandlerOptions, object: KubeObject): boolean {
  return (
    matches(object.metadata.labels, options.labels) &&
    matches(object.metadata.annotations, options.annotations) &&
    (options.when ? options.when(object) : true)
  );
}

/**
 * A server-side label selector equivalent to the plain-value and presence filters that every
 * handler of a controller shares, so the apiserver sends only objects some handler can use.
 */
export function sharedLabelSelector(all: HandlerOptions[]): string | undefined {
  if (all.length === 0) return undefined;
  const terms = all.map((o) =>
    Object.entries(o.labels ?? {}).flatMap(([k, f]) =>
      typeof f === 'string' ? [`${k}=${f}`] : f === PRESENT ? [k] : f === ABSENT ? [`!${k}`] : [],
    ),
  );
  const first = terms[0] ?? [];
  const common = first.filter((t) => terms.every((other) => other.includes(t)));
  return common.length ? common.join(',') : undefined;
}
