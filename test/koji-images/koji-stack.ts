// Deploying the proposal's Koji on a real node the way a user would, shared by the real-node
// tests and `npm run demo`: PostgreSQL (a Deployment and Service of the local Debian image,
// credentials from the proposal's `postgres` Secret), the operator from deploy/ (its
// namespace, RBAC, ServiceAccount, two replicas with leader election) serving one namespace,
// the example certificates and ConfigMaps, and volumes for the example hub's claims (hostPath
// folders in the node's run folder, bound to each claim).
//
// Fails when: kubectl fails (its stderr is in the error), examples/gen-certs.sh fails.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { POSTGRES_IMAGE } from './koji-images.ts';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export type Kubectl = (args: string[], input?: string) => string;

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
}

export function exampleObjects(file: string): K8sObject[] {
  return parseAllDocuments(readFileSync(join(repoRoot, 'examples', file), 'utf8'))
    .map((d) => d.toJS() as K8sObject)
    .filter(Boolean);
}

const list = (items: object[]) => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });

/** PostgreSQL as a user runs their own: Deployment + Service named by the Secret's POSTGRES_HOST. */
export function deployPostgres(kubectl: Kubectl, namespace: string): void {
  const secret = exampleObjects('postgres-secret.yaml')[0] as K8sObject & {
    stringData: Record<string, string>;
  };
  const host = secret.stringData.POSTGRES_HOST ?? 'postgresql';
  const labels = { app: host };
  kubectl(
    ['-n', namespace, 'apply', '-f', '-'],
    list([
      secret,
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: host, labels },
        spec: {
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              securityContext: { runAsUser: 999, runAsGroup: 999, fsGroup: 999 },
              containers: [
                {
                  name: 'postgres',
                  image: POSTGRES_IMAGE,
                  imagePullPolicy: 'Never',
                  envFrom: [{ secretRef: { name: secret.metadata.name } }],
                  ports: [{ name: 'postgres', containerPort: 5432 }],
                  readinessProbe: {
                    exec: { command: ['pg_isready', '-h', '/tmp'] },
                    periodSeconds: 2,
                    timeoutSeconds: 5,
                  },
                  volumeMounts: [{ name: 'data', mountPath: '/var/lib/postgresql' }],
                },
              ],
              volumes: [{ name: 'data', emptyDir: {} }],
            },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: host, labels },
        spec: { selector: labels, ports: [{ name: 'postgres', port: 5432, targetPort: 'postgres' }] },
      },
    ]),
  );
}

/** The operator from deploy/, serving `namespace` (deploy/ binds its role in namespace koji). */
export function deployOperator(kubectl: Kubectl, namespace: string): void {
  const rendered = kubectl(['kustomize', join(repoRoot, 'deploy')]);
  const objects = parseAllDocuments(rendered)
    .map((d) => d.toJS() as K8sObject & Record<string, unknown>)
    .filter(Boolean)
    .map((o) => {
      if (o.kind === 'Namespace' && o.metadata.name === 'koji')
        return { ...o, metadata: { ...o.metadata, name: namespace } };
      if (o.kind === 'RoleBinding' && o.metadata.namespace === 'koji')
        return { ...o, metadata: { ...o.metadata, namespace } };
      return o;
    });
  kubectl(['apply', '-f', '-'], list(objects));
  kubectl([
    '-n',
    'koji-operator-system',
    'set',
    'env',
    'deployment/koji-operator',
    `OPERATOR_NAMESPACES=${namespace}`,
  ]);
}

/** The example certificates (gen-certs.sh, into `pkiDir`) and ConfigMaps. */
export function applyExampleInputs(kubectl: Kubectl, namespace: string, pkiDir: string): void {
  execFileSync('bash', [join(repoRoot, 'examples', 'gen-certs.sh'), pkiDir], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NAMESPACE: namespace },
  });
  kubectl(['-n', namespace, 'apply', '-f', join(pkiDir, 'secrets.yaml')]);
  kubectl(['-n', namespace, 'apply', '-f', join(repoRoot, 'examples', 'configmaps.yaml')]);
}

/** A hostPath volume on the node for each claim of the example hubs, bound to that claim. */
export function bindExampleHubVolumes(kubectl: Kubectl, namespace: string, nodeDir: string): void {
  for (const hub of exampleObjects('koji-hub.yaml').filter((o) => o.kind === 'KojiHub')) {
    const spec = hub.spec ?? {};
    const claims = [
      [spec.httpd_pvc_name, spec.httpd_pvc_size, 'ReadWriteOnce'],
      [spec.mnt_pvc_name, spec.mnt_pvc_size, 'ReadWriteMany'],
    ] as const;
    for (const [claim, size, mode] of claims) {
      if (typeof claim !== 'string') continue;
      const path = join(nodeDir, 'pv', namespace, claim);
      // World-writable, as local-path-provisioner makes its folders (hostPath ignores fsGroup).
      mkdirSync(path, { recursive: true, mode: 0o777 });
      chmodSync(path, 0o777);
      kubectl(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: { name: `${namespace}-${claim}` },
          spec: {
            capacity: { storage: typeof size === 'string' ? size : '1Gi' },
            accessModes: [mode],
            storageClassName: '',
            hostPath: { path, type: 'Directory' },
            claimRef: { namespace, name: claim },
          },
        }),
      );
    }
  }
}
