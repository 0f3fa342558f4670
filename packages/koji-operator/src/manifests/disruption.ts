// A PodDisruptionBudget for a component that runs several replicas: a node drain then takes
// them down one at a time, so koji-hub and kojiweb keep answering.
import { labelsFor, selectorFor, type Component } from './labels.js';
import { child, Resources, type Child } from './resources.js';

export function podDisruptionBudget(name: string, component: Component, instance: string): Child {
  return child(Resources.podDisruptionBudget, {
    metadata: { name, labels: labelsFor(component, instance) },
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorFor(component, instance) } },
  });
}
