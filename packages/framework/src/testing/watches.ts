// How many watches an operator holds, per resource and namespace, from its own
// `operator_watches` gauge: for tests that check watches are shared (one per kind and
// namespace) or closed.
import type { Operator } from '../runtime/operator.js';

/** Open watches keyed `${resource} ${namespace}` (resource as `plural.group`, `*` for all namespaces). */
export async function openWatches(operator: Operator): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const line of (await operator.metrics.registry.metrics()).split('\n')) {
    const sample = /^operator_watches\{(.*)\} (\d+)$/.exec(line);
    if (!sample) continue;
    const labels = new Map([...(sample[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    const scope = `${labels.get('resource')} ${labels.get('namespace')}`;
    counts.set(scope, (counts.get(scope) ?? 0) + Number(sample[2]));
  }
  return counts;
}
