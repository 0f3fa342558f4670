// The kinds the Koji operator owns, addressed as the framework's client wants them.
import type { KubeObject, ResourceRef } from '@fedora-operators/framework';

const ref = (group: string, version: string, kind: string, plural: string): ResourceRef => ({
  group,
  version,
  kind,
  plural,
  namespaced: true,
});

export const Resources = {
  configMap: ref('', 'v1', 'ConfigMap', 'configmaps'),
  secret: ref('', 'v1', 'Secret', 'secrets'),
  service: ref('', 'v1', 'Service', 'services'),
  pvc: ref('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims'),
  pod: ref('', 'v1', 'Pod', 'pods'),
  deployment: ref('apps', 'v1', 'Deployment', 'deployments'),
  statefulSet: ref('apps', 'v1', 'StatefulSet', 'statefulsets'),
  job: ref('batch', 'v1', 'Job', 'jobs'),
  podDisruptionBudget: ref('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets'),
  ingress: ref('networking.k8s.io', 'v1', 'Ingress', 'ingresses'),
  route: ref('route.openshift.io', 'v1', 'Route', 'routes'),
  kojiHub: ref('koji.fedoraproject.org', 'v1alpha1', 'KojiHub', 'kojihubs'),
  kojiWeb: ref('koji.fedoraproject.org', 'v1alpha1', 'KojiWeb', 'kojiwebs'),
  kojira: ref('koji.fedoraproject.org', 'v1alpha1', 'Kojira', 'kojiras'),
  kojiBuilder: ref('koji.fedoraproject.org', 'v1alpha1', 'KojiBuilder', 'kojibuilders'),
} satisfies Record<string, ResourceRef>;

/** A child object and the resource to apply it as. */
export interface Child {
  resource: ResourceRef;
  object: KubeObject;
}

export const child = (resource: ResourceRef, object: KubeObject): Child => ({
  resource,
  object: {
    apiVersion: resource.group ? `${resource.group}/${resource.version}` : resource.version,
    kind: resource.kind,
    ...object,
  },
});
