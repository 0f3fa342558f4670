import 'reflect-metadata';
import {
  Controller,
  OnDelete,
  OnSecretChange,
  Owns,
  RbacRule,
  Reconcile,
  Watches,
} from '../decorators/index.js';
import { describeController } from '../registry.js';
import { pluralOf, rbacObjects, rbacRules } from './rbac.js';

@Controller({ group: 'example.com', version: 'v1', kind: 'Widget', plural: 'widgets' })
@Owns({ apiVersion: 'apps/v1', kind: 'Deployment' })
@Owns({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' })
@Watches({ apiVersion: 'v1', kind: 'Node', map: () => [] })
@RbacRule({ apiGroups: [''], resources: ['secrets'], verbs: ['create'] })
class Widgets {
  @Reconcile()
  async level() {}
  @OnSecretChange({ refs: () => [] })
  async secrets() {}
  @OnDelete()
  async remove() {}
}

test('rules follow from the decorators: own kind, status, children, watched and related kinds, extras, Events', () => {
  const rules = rbacRules([describeController(Widgets)]);
  const verbsOf = (group: string, resource: string) =>
    rules.find((r) => r.apiGroups.includes(group) && r.resources.includes(resource))?.verbs;
  expect(verbsOf('example.com', 'widgets')).toEqual(['get', 'list', 'watch', 'update', 'patch']);
  expect(verbsOf('example.com', 'widgets/status')).toEqual(['get', 'update', 'patch']);
  expect(verbsOf('example.com', 'widgets/finalizers')).toEqual(['update']);
  expect(verbsOf('apps', 'deployments')).toEqual([
    'get',
    'list',
    'watch',
    'create',
    'update',
    'patch',
    'delete',
  ]);
  expect(verbsOf('networking.k8s.io', 'ingresses')).toContain('create');
  expect(verbsOf('', 'nodes')).toEqual(['get', 'list', 'watch']);
  // @OnSecretChange reads Secrets; @RbacRule adds create to the same resource.
  expect(verbsOf('', 'secrets')).toEqual(['get', 'list', 'watch', 'create']);
  expect(verbsOf('events.k8s.io', 'events')).toEqual(['create', 'patch']);
  expect(verbsOf('coordination.k8s.io', 'leases')).toBeUndefined();
});

test('the objects: ClusterRole, its binding to the ServiceAccount, and the Lease Role when leader election is on', () => {
  const objects = rbacObjects([describeController(Widgets)], {
    name: 'widget-operator',
    namespace: 'widget-system',
    leaderElection: true,
  });
  expect(objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)).toEqual([
    'ClusterRole//widget-operator',
    'ClusterRoleBinding//widget-operator',
    'Role/widget-system/widget-operator-leader-election',
    'RoleBinding/widget-system/widget-operator-leader-election',
  ]);
  expect((objects[1] as unknown as { subjects: unknown[] }).subjects).toEqual([
    { kind: 'ServiceAccount', name: 'widget-operator', namespace: 'widget-system' },
  ]);
  expect((objects[2] as unknown as { rules: unknown[] }).rules).toEqual([
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
  ]);
});

test('plurals of kinds', () => {
  expect(['Ingress', 'NetworkPolicy', 'Deployment', 'Gateway', 'Box'].map(pluralOf)).toEqual([
    'ingresses',
    'networkpolicies',
    'deployments',
    'gateways',
    'boxes',
  ]);
});

test('sharding adds a Role for its Leases, and for auto reading its own pod, ReplicaSet and Deployment', () => {
  const roleRules = (sharding: 'auto' | number) =>
    (
      rbacObjects([describeController(Widgets)], {
        name: 'widget-operator',
        namespace: 'widget-system',
        sharding,
      }).find((o) => o.kind === 'Role' && o.metadata.name === 'widget-operator-sharding') as unknown as {
        rules: unknown[];
      }
    ).rules;
  const leases = {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    verbs: ['get', 'list', 'watch', 'create', 'update'],
  };
  expect(roleRules(3)).toEqual([leases]);
  expect(roleRules('auto')).toEqual([
    leases,
    { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
    { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['get'] },
  ]);
  // The sharder's label writes are patches of the primaries, which every operator may patch.
  const rules = rbacRules([describeController(Widgets)]);
  expect(rules.find((r) => r.resources.includes('widgets'))?.verbs).toContain('patch');
});
