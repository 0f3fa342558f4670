// The RBAC an operator needs, derived from what its controllers declare: its own kinds (watch,
// annotate, finalize, write status), @Owns children (server-side applied with ctx.apply, watched,
// pruned), @Watches and related-object kinds (read), @RbacRule extras, Events it posts, and the
// Lease when it elects a leader, the member and sharder Leases (and, for `shards: 'auto'`, read
// access to its own pod, ReplicaSet and Deployment) when it shards. Pure: the same controllers always give the same objects, so
// committed RBAC can be compared with a regenerated one.
import type { PolicyRule } from '../decorators/options.js';
import type { KubeObject } from '../kube/object.js';
import type { ControllerDescription } from '../registry.js';

const verbOrder = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];
const read = ['get', 'list', 'watch'];
/** Own objects: progress and finalizers are patched; update kept for writers that PUT. */
const ownVerbs = [...read, 'patch', 'update'];
/** Children: applied (create/patch), replaced, deleted when no longer wanted. */
const childVerbs = [...read, 'create', 'update', 'patch', 'delete'];

export interface RbacOptions {
  /** Names the ClusterRole, and the ServiceAccount unless `serviceAccount` says otherwise. */
  name: string;
  /** The operator's own namespace: its ServiceAccount's and its Lease's. */
  namespace: string;
  serviceAccount?: string;
  /** Add a Role for the leader-election Lease in `namespace`. */
  leaderElection?: boolean;
  /** Add a Role for sharding's Leases in `namespace` ('auto': also reading its own Deployment). */
  sharding?: 'auto' | number;
  /** Bind the ClusterRole cluster-wide (default); false when bound per namespace by RoleBindings. */
  clusterRoleBinding?: boolean;
  labels?: Record<string, string>;
}

/** `apps/v1` -> `apps`, `v1` -> `` (the core group). */
export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
}

/** The usual lower-case plural of a kind (Ingress -> ingresses, Policy -> policies). */
export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** The ClusterRole rules for these controllers, merged and in a stable order. */
export function rbacRules(controllers: readonly ControllerDescription[]): PolicyRule[] {
  const wanted = new Map<string, Set<string>>();
  const grant = (group: string, resource: string, verbs: readonly string[]) => {
    const key = `${group}\u0000${resource}`;
    const set = wanted.get(key) ?? new Set<string>();
    for (const v of verbs) set.add(v);
    wanted.set(key, set);
  };
  for (const c of controllers) {
    const { group, plural } = c.resource;
    grant(group, plural, ownVerbs);
    if (c.statusSubresource) grant(group, `${plural}/status`, ['get', 'patch', 'update']);
    // Setting blockOwnerDeletion on children needs update on the owner's finalizers.
    if (c.owns.length > 0) grant(group, `${plural}/finalizers`, ['update']);
    for (const o of c.owns) grant(groupOf(o.apiVersion), o.plural ?? pluralOf(o.kind), childVerbs);
    for (const w of c.watches) grant(groupOf(w.apiVersion), w.plural ?? pluralOf(w.kind), read);
    for (const h of c.handlers) {
      if (h.related) grant(groupOf(h.related.apiVersion), h.related.plural ?? pluralOf(h.related.kind), read);
    }
    for (const rule of c.rbac) {
      for (const g of rule.apiGroups) for (const r of rule.resources) grant(g, r, rule.verbs);
    }
  }
  if (controllers.length > 0) grant('events.k8s.io', 'events', ['create', 'patch']);
  return mergeRules(wanted);
}

/** One rule per (group, verbs): resources with the same verbs share it. */
function mergeRules(wanted: Map<string, Set<string>>): PolicyRule[] {
  const rules = new Map<string, PolicyRule>();
  const keys = [...wanted.keys()].sort();
  for (const key of keys) {
    const [group = '', resource = ''] = key.split('\u0000');
    const verbs = sortVerbs(wanted.get(key) ?? new Set());
    const ruleKey = `${group}\u0000${verbs.join(',')}`;
    const rule = rules.get(ruleKey) ?? { apiGroups: [group], resources: [], verbs };
    rule.resources.push(resource);
    rules.set(ruleKey, rule);
  }
  return [...rules.values()];
}

function sortVerbs(verbs: Set<string>): string[] {
  const rank = (v: string) => (verbOrder.includes(v) ? verbOrder.indexOf(v) : verbOrder.length);
  return [...verbs].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** ClusterRole (+ ClusterRoleBinding), and a Role + RoleBinding for the Lease. */
export function rbacObjects(
  controllers: readonly ControllerDescription[],
  options: RbacOptions,
): KubeObject[] {
  const serviceAccount = options.serviceAccount ?? options.name;
  const labels = options.labels ?? { 'app.kubernetes.io/name': options.name };
  const subjects = [{ kind: 'ServiceAccount', name: serviceAccount, namespace: options.namespace }];
  const rbacApi = 'rbac.authorization.k8s.io/v1';
  const objects: KubeObject[] = [
    {
      apiVersion: rbacApi,
      kind: 'ClusterRole',
      metadata: { name: options.name, labels },
      rules: rbacRules(controllers),
    } as KubeObject,
  ];
  if (options.clusterRoleBinding !== false) {
    objects.push({
      apiVersion: rbacApi,
      kind: 'ClusterRoleBinding',
      metadata: { name: options.name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: options.name },
      subjects,
    } as KubeObject);
  }
  const role = (name: string, rules: PolicyRule[]) =>
    objects.push(
      {
        apiVersion: rbacApi,
        kind: 'Role',
        metadata: { name, namespace: options.namespace, labels },
        rules,
      } as KubeObject,
      {
        apiVersion: rbacApi,
        kind: 'RoleBinding',
        metadata: { name, namespace: options.namespace, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
        subjects,
      } as KubeObject,
    );
  if (options.leaderElection)
    role(`${options.name}-leader-election`, [
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
    ]);
  if (options.sharding !== undefined)
    role(`${options.name}-sharding`, [
      // Its own member Lease and the sharder Lease are written; every member Lease is watched.
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        verbs: ['get', 'list', 'watch', 'create', 'update'],
      },
      ...(options.sharding === 'auto'
        ? [
            { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
            { apiGroups: ['apps'], resources: ['deployments', 'replicasets'], verbs: ['get'] },
          ]
        : []),
    ]);
  return objects;
}
