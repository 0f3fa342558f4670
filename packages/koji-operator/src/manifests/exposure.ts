// How a Service is reached from outside: an nginx Ingress or an OpenShift Route for `host`.
import type { IngressBackend } from '../api/index.js';
import type { Component } from './labels.js';
import { labelsFor } from './labels.js';
import { child, Resources, type Child } from './resources.js';

export interface ExposureInput {
  name: string;
  component: Component;
  host: string;
  backend: IngressBackend;
  serviceName: string;
  /** The Service port name to route to. */
  port: 'http' | 'https';
  /**
   * passthrough: TLS goes through to the pod untouched (koji-hub checks client certificates
   * itself, so the proxy must not terminate TLS); edge: the proxy terminates TLS.
   */
  tls: 'passthrough' | 'edge' | 'none';
}

export function exposure(input: ExposureInput): Child {
  return input.backend === 'openshift' ? route(input) : ingress(input);
}

function ingress({ name, component, host, serviceName, port, tls }: ExposureInput): Child {
  const annotations: Record<string, string> =
    tls === 'passthrough'
      ? {
          'nginx.ingress.kubernetes.io/ssl-passthrough': 'true',
          'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
        }
      : {};
  return child(Resources.ingress, {
    metadata: { name, labels: labelsFor(component, name), annotations },
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          host,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: serviceName, port: { name: port } } },
              },
            ],
          },
        },
      ],
      ...(tls === 'edge' ? { tls: [{ hosts: [host] }] } : {}),
    },
  });
}

function route({ name, component, host, serviceName, port, tls }: ExposureInput): Child {
  return child(Resources.route, {
    metadata: { name, labels: labelsFor(component, name) },
    spec: {
      host,
      to: { kind: 'Service', name: serviceName, weight: 100 },
      port: { targetPort: port },
      ...(tls === 'none'
        ? {}
        : {
            tls: {
              termination: tls,
              insecureEdgeTerminationPolicy: tls === 'edge' ? 'Redirect' : 'None',
            },
          }),
    },
  });
}
