// The kubeconfig shapes users have, each against the real apiserver: who does a client made
// from it authenticate as (a SelfSubjectReview answers)? Client certificates inline and in files
// named relative to the kubeconfig, the in-cluster service account, an exec plugin, several
// files in KUBECONFIG, and an auth-provider plugin (handed to client-node's KubeConfig).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';
import { KubeHttp } from '../../src/kube/http.js';
import { Kubeconfig, loadKubeConfig, type KubeAccess } from '../../src/kube/kubeconfig.js';
import { CoreResources } from '../../src/kube/resource.js';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.js';

let ns: TestNamespace;
let dir: string;
let admin: Kubeconfig;
let token: string;
let server: URL;

const serviceAccount = {
  ...CoreResources.namespace,
  kind: 'ServiceAccount',
  plural: 'serviceaccounts',
  namespaced: true,
};

async function whoAmI(config: KubeAccess): Promise<string> {
  const http = new KubeHttp(config);
  try {
    const review = await http.request<{ status: { userInfo: { username: string } } }>(
      'POST',
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } },
    );
    return review.status.userInfo.username;
  } finally {
    http.close();
  }
}

/** A kubeconfig file of one cluster, user and context; returns its path. */
function writeKubeconfig(
  name: string,
  user: Record<string, unknown>,
  cluster: Record<string, unknown> = {},
): string {
  const file = join(dir, `${name}.yaml`);
  const document = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: `${name}-cluster`, cluster: { server: server.toString(), ...cluster } }],
    users: [{ name: `${name}-user`, user }],
    contexts: [{ name, context: { cluster: `${name}-cluster`, user: `${name}-user`, namespace: ns.name } }],
    'current-context': name,
  };
  writeFileSync(file, stringify(document));
  return file;
}

const ca = () => ({ 'certificate-authority-data': admin.getCurrentCluster()?.caData });
const saName = () => `system:serviceaccount:${ns.name}:reader`;

beforeAll(async () => {
  ns = await createTestNamespace('kubeconfig');
  dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  admin = loadKubeConfig(process.env.KUBECONFIG);
  server = new URL(admin.getCurrentCluster()?.server ?? '');
  await ns.client.create(serviceAccount, { metadata: { name: 'reader', namespace: ns.name } });
  const request = await ns.client.http.request<{ status: { token: string } }>(
    'POST',
    `/api/v1/namespaces/${ns.name}/serviceaccounts/reader/token`,
    {
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 3600 },
      },
    },
  );
  token = request.status.token;
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await ns.dispose();
});

test("the test cluster's kubeconfig authenticates with its client certificate", async () => {
  const user = admin.getCurrentUser();
  expect(user?.certData ?? user?.certFile).toBeTruthy();
  const name = await whoAmI(admin);
  expect(name).not.toMatch(/^system:(serviceaccount|anonymous)/);
});

test('certificate, key and CA files named relative to the kubeconfig are read from its directory', async () => {
  const user = admin.getCurrentUser();
  const cluster = admin.getCurrentCluster();
  const pem = (data: string | undefined, file: string | undefined) =>
    data ? Buffer.from(data, 'base64') : readFileSync(file as string);
  writeFileSync(join(dir, 'client.crt'), pem(user?.certData, user?.certFile));
  writeFileSync(join(dir, 'client.key'), pem(user?.keyData, user?.keyFile));
  writeFileSync(join(dir, 'ca.crt'), pem(cluster?.caData, cluster?.caFile));
  const file = writeKubeconfig(
    'files',
    { 'client-certificate': 'client.crt', 'client-key': 'client.key' },
    { 'certificate-authority': 'ca.crt' },
  );
  expect(await whoAmI(loadKubeConfig(file))).toBe(await whoAmI(admin));
});

test("in a pod: the service account's token, CA and namespace, and the service's host and port", async () => {
  const mount = mkdtempSync(join(dir, 'serviceaccount-'));
  writeFileSync(join(mount, 'token'), token);
  writeFileSync(join(mount, 'namespace'), ns.name);
  const cluster = admin.getCurrentCluster();
  writeFileSync(
    join(mount, 'ca.crt'),
    cluster?.caData ? Buffer.from(cluster.caData, 'base64') : readFileSync(cluster?.caFile as string),
  );
  const env = { KUBERNETES_SERVICE_HOST: server.hostname, KUBERNETES_SERVICE_PORT: server.port };
  const config = Kubeconfig.inCluster(env, mount);
  expect(config.getContextObject(config.getCurrentContext())?.namespace).toBe(ns.name);
  expect(await whoAmI(config)).toBe(saName());
});

test('an exec plugin: its ExecCredential token is used', async () => {
  const plugin = join(dir, 'credential-plugin.sh');
  const credential = {
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token },
  };
  writeFileSync(plugin, `#!/bin/sh\ncat <<'EOF'\n${JSON.stringify(credential)}\nEOF\n`);
  chmodSync(plugin, 0o755);
  const file = writeKubeconfig(
    'exec',
    { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } },
    ca(),
  );
  expect(await whoAmI(loadKubeConfig(file))).toBe(saName());
});

test('a failing exec plugin fails the request with what the plugin said', async () => {
  const plugin = join(dir, 'failing-plugin.sh');
  writeFileSync(plugin, '#!/bin/sh\necho "not logged in: run the login command first" >&2\nexit 1\n');
  chmodSync(plugin, 0o755);
  const file = writeKubeconfig(
    'failing',
    { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin } },
    ca(),
  );
  await expect(whoAmI(loadKubeConfig(file))).rejects.toThrow(/not logged in/);
});

test('KUBECONFIG with several files: merged, the first to set current-context wins', async () => {
  const tokenFile = writeKubeconfig('token', { token }, ca());
  const env = { KUBECONFIG: [tokenFile, process.env.KUBECONFIG].join(delimiter), HOME: dir };
  const merged = loadKubeConfig(undefined, env);
  expect(merged.getCurrentContext()).toBe('token');
  expect(merged.contexts.length).toBeGreaterThan(1);
  expect(await whoAmI(merged)).toBe(saName());
  // The other file's context is there too: switching to it gives its user.
  merged.currentContext = admin.getCurrentContext();
  expect(await whoAmI(merged)).toBe(await whoAmI(admin));
});

test('an auth-provider plugin (oidc here) is run by client-node, loaded for it', async () => {
  const file = writeKubeconfig(
    'oidc',
    {
      'auth-provider': {
        name: 'oidc',
        config: { 'id-token': token, 'client-id': 'unused', 'idp-issuer-url': 'https://127.0.0.1:1' },
      },
    },
    ca(),
  );
  expect(await whoAmI(loadKubeConfig(file))).toBe(saName());
});

test('no kubeconfig anywhere is a clear error', () => {
  expect(() => loadKubeConfig(undefined, { HOME: dir })).toThrow(/no kubeconfig: set KUBECONFIG/);
  expect(() => loadKubeConfig(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml/);
});
