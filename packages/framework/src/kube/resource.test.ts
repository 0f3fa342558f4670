import { apiVersionOf, resourcePath, type ResourceRef } from './resource.js';

const kojiUsers: ResourceRef = {
  group: 'koji.fedoraproject.org',
  version: 'v1alpha1',
  kind: 'KojiUser',
  plural: 'kojiusers',
  namespaced: true,
};
const nodes: ResourceRef = { group: '', version: 'v1', kind: 'Node', plural: 'nodes', namespaced: false };

test('paths of a namespaced custom resource', () => {
  expect(resourcePath(kojiUsers)).toBe('/apis/koji.fedoraproject.org/v1alpha1/kojiusers');
  expect(resourcePath(kojiUsers, 'koji')).toBe(
    '/apis/koji.fedoraproject.org/v1alpha1/namespaces/koji/kojiusers',
  );
  expect(resourcePath(kojiUsers, 'koji', 'kojira', 'status')).toBe(
    '/apis/koji.fedoraproject.org/v1alpha1/namespaces/koji/kojiusers/kojira/status',
  );
});

test('core, cluster-scoped resources ignore the namespace', () => {
  expect(resourcePath(nodes, 'koji', 'kwok-node-0')).toBe('/api/v1/nodes/kwok-node-0');
  expect(apiVersionOf(nodes)).toBe('v1');
  expect(apiVersionOf(kojiUsers)).toBe('koji.fedoraproject.org/v1alpha1');
});

test('names are escaped in paths', () => {
  expect(resourcePath(kojiUsers, 'a b', 'x/y')).toBe(
    '/apis/koji.fedoraproject.org/v1alpha1/namespaces/a%20b/kojiusers/x%2Fy',
  );
});
