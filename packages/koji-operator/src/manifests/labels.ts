// The label scheme of every workload. `kubectl koji` finds the hub's pods by
// app.kubernetes.io/name=koji-hub and app.kubernetes.io/instance=<KojiHub name>: keep it stable.

export type Component = 'koji-hub' | 'koji-web' | 'kojira' | 'kojid';

/** Labels on every object and pod of one CR's workload. */
export function labelsFor(component: Component, instance: string): Record<string, string> {
  return {
    ...selectorFor(component, instance),
    'app.kubernetes.io/managed-by': 'koji-operator',
    'app.kubernetes.io/part-of': 'koji',
  };
}

/** The subset used as the Deployment/StatefulSet/Service selector (immutable once created). */
export function selectorFor(component: Component, instance: string): Record<string, string> {
  return { 'app.kubernetes.io/name': component, 'app.kubernetes.io/instance': instance };
}

/** Pod-template annotation holding the hash of every Secret and ConfigMap the pods read. */
export const configHashAnnotation = 'koji.fedoraproject.org/config-hash';
