// Users of the test cluster other than its admin: a client certificate signed by the cluster's
// CA, so a test can give an operator only the RBAC it grants itself.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeClient } from '../../packages/framework/src/kube/client.ts';
import type { ResourceRef } from '../../packages/framework/src/kube/resource.ts';

/** A kubeconfig for a user with no permissions yet, signed by the test cluster's CA. */
export function unprivilegedKubeconfig(user: string): string {
  const state = JSON.parse(readFileSync(process.env.TESTCLUSTER_STATE ?? '', 'utf8')) as {
    runDir: string;
    server?: string;
  };
  const pki = join(state.runDir, 'pki');
  const dir = mkdtempSync(join(tmpdir(), 'probe-user-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      `/CN=${user}`,
      '-keyout',
      join(dir, 'u.key'),
      '-out',
      join(dir, 'u.csr'),
    ],
    { stdio: 'ignore' },
  );
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      join(dir, 'u.csr'),
      '-CA',
      join(pki, 'ca.crt'),
      '-CAkey',
      join(pki, 'ca.key'),
      '-CAcreateserial',
      '-days',
      '1',
      '-out',
      join(dir, 'u.crt'),
    ],
    { stdio: 'ignore' },
  );
  const admin = readFileSync(process.env.KUBECONFIG ?? '', 'utf8');
  const server = /server: (\S+)/.exec(admin)?.[1];
  const ca = /certificate-authority-data: (\S+)/.exec(admin)?.[1];
  const b64 = (f: string) => readFileSync(join(dir, f)).toString('base64');
  const file = join(dir, 'kubeconfig');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: c, cluster: {server: "${server}", certificate-authority-data: ${ca}}}]`,
      `users: [{name: u, user: {client-certificate-data: ${b64('u.crt')}, client-key-data: ${b64('u.key')}}}]`,
      'contexts: [{name: c, context: {cluster: c, user: u}}]',
      'current-context: c',
      '',
    ].join('\n'),
  );
  return file;
}

const rbac = (kind: 'Role' | 'RoleBinding'): ResourceRef => ({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  kind,
  plural: `${kind.toLowerCase()}s`,
  namespaced: true,
});

/** A Role with these rules in `namespace`, bound to `user` there (named after the user). */
export async function grantInNamespace(
  client: KubeClient,
  namespace: string,
  user: string,
  rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[],
): Promise<void> {
  await client.create(rbac('Role'), { metadata: { name: user, namespace }, rules });
  await client.create(rbac('RoleBinding'), {
    metadata: { name: user, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: user },
    subjects: [{ kind: 'User', name: user }],
  });
}
