// Builders shared by the kinds: ConfigMap, Service, Deployment, with the label scheme
// and the config-hash annotation on every pod template.
import { configHashAnnotation, labelsFor, selectorFor, type Component } from './labels.js';
import type { PodSpec } from './pod.js';
import { child, Resources, type Child } from './resources.js';

export function configMap(
  name: string,
  component: Component,
  instance: string,
  data: Record<string, string>,
): Child {
  return child(Resources.configMap, { metadata: { name, labels: labelsFor(component, instance) }, data });
}

export interface ServicePort {
  name: string;
  port: number;
}

export function service(
  name: string,
  component: Component,
  instance: string,
  ports: ServicePort[],
  { headless = false } = {},
): Child {
  return child(Resources.service, {
    metadata: { name, labels: labelsFor(component, instance) },
    spec: {
      selector: selectorFor(component, instance),
      ...(headless ? { clusterIP: 'None', publishNotReadyAddresses: true } : {}),
      ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: 'TCP' })),
    },
  });
}

export function podTemplate(component: Component, instance: string, hash: string, spec: PodSpec) {
  return {
    metadata: { labels: labelsFor(component, instance), annotations: { [configHashAnnotation]: hash } },
    spec: { ...spec, enableServiceLinks: false },
  };
}

export interface DeploymentInput {
  name: string;
  component: Component;
  replicas: number;
  hash: string;
  pod: PodSpec;
  /** Recreate: the old pod stops before the new one starts (single-instance daemons, RWO volumes). */
  recreate?: boolean;
}

export function deployment({ name, component, replicas, hash, pod, recreate }: DeploymentInput): Child {
  return child(Resources.deployment, {
    metadata: { name, labels: labelsFor(component, name) },
    spec: {
      replicas,
      selector: { matchLabels: selectorFor(component, name) },
      strategy: recreate ? { type: 'Recreate' } : { type: 'RollingUpdate' },
      template: podTemplate(component, name, hash, pod),
    },
  });
}
