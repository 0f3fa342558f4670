// The KojiUser controller in-process against a real control plane and the koji hub emulator
// (koji's own marshalling, state in PostgreSQL, client-certificate login over TLS). Koji's side
// is checked with the real koji CLI, SQL on the hub's database, or a separate admin client, never
// with the controller's own client.
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';

import { startOperator, waitForObject, type RunningOperator } from '@fedora-operators/framework/testing';

import { startKojiHub, type KojiHubHandle } from '../../../../test/koji-hub/hub.ts';
import { createTestNamespace, type TestNamespace } from '../../../../test/support/cluster.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import { connectNamespaceToHub, type EmulatedHubConnection } from '../support/emulated-hub.js';
import type { KojiUser } from '../../src/api/koji-user.js';
import { readSecretData } from '../../src/certs/index.js';
import { KojiUserController } from '../../src/controllers/koji-user.controller.js';
import { HubClientFactory, kojiUserResource } from '../../src/hub-connection/index.js';
import { Resources } from '../../src/manifests/index.js';
import { KojiClient, UserStatus } from '../../src/koji/index.js';

const DRIFT_SECONDS = 3;

let hub: KojiHubHandle;
let ns: TestNamespace;
let operator: RunningOperator;
let connection: EmulatedHubConnection;
let factory: HubClientFactory;
let admin: KojiClient;

const ready = (o: KojiUser | undefined) => o?.status?.conditions?.find((c) => c.type === 'Ready');

function permissionNames(table: string): string[] {
  return table
    .trimEnd()
    .split('\n')
    .slice(2)
    .map((line) => line.split(/\s+/)[0] ?? '')
    .filter(Boolean)
    .sort();
}

/** The user's permissions as the real koji CLI lists them. */
function cliPermissions(user: string): string[] {
  const out = hub.koji(hub.adminUser, ['list-permissions', '--user', user]);
  if (out.code !== 0) throw new Error(`koji list-permissions failed: ${out.stderr}`);
  return permissionNames(out.stdout);
}

function okCli(...args: string[]): void {
  const out = hub.koji(hub.adminUser, args);
  if (out.code !== 0) throw new Error(`koji ${args.join(' ')} failed: ${out.stdout}${out.stderr}`);
}

async function createUser(name: string, spec: KojiUser['spec']): Promise<void> {
  await ns.client.create<KojiUser>(kojiUserResource, {
    apiVersion: 'koji.fedoraproject.org/v1alpha1',
    kind: 'KojiUser',
    metadata: { name, namespace: ns.name },
    spec,
  });
}

function waitForUser(name: string, predicate: (o: KojiUser | undefined) => boolean, timeoutMs = 30_000) {
  return waitForObject<KojiUser>(ns.client, kojiUserResource, ns.name, name, predicate, { timeoutMs });
}

const inSync = (o: KojiUser | undefined) => ready(o)?.status === 'True' && ready(o)?.reason === 'InSync';

beforeAll(async () => {
  hub = await startKojiHub();
  ns = await createTestNamespace('koji-user');
  // The CA Secret holds the emulator CA's key too, so missing client certificates can be issued.
  connection = await connectNamespaceToHub(hub, ns);
  ({ factory, admin } = connection);
  operator = await startOperator(
    [
      [
        KojiUserController,
        factory,
        { driftIntervalSeconds: DRIFT_SECONDS, retry: { initialSeconds: 1, maxSeconds: 3 } },
      ],
    ],
    { namespaces: [ns.name], readyCondition: 'manual' },
  );
}, 180_000);

afterAll(async () => {
  await operator?.stop();
  await connection?.close();
  await ns?.dispose();
  await hub?.stop();
});

describe('KojiUser', () => {
  test('creates the koji user with its permissions and reports them', async () => {
    await createUser('ku-alice', { permissions: ['repo', 'ku-build'], create_unknown_permissions: true });
    const user = await waitForUser('ku-alice', inSync);
    expect(cliPermissions('ku-alice')).toEqual(['ku-build', 'repo']);
    const info = await admin.getUser('ku-alice');
    expect(info).toMatchObject({ status: UserStatus.NORMAL });
    expect(user?.status).toMatchObject({
      kojiUserId: info?.id,
      username: 'ku-alice',
      permissions: ['ku-build', 'repo'],
      enabled: true,
    });
  });

  test('editing permissions grants and revokes exactly the difference', async () => {
    const grantRow = async (perm: string) =>
      (
        await hub.sql(
          `SELECT up.create_event, up.active FROM user_perms up JOIN users u ON u.id = up.user_id JOIN permissions p ON p.id = up.perm_id WHERE u.name = 'ku-alice' AND p.name = '${perm}' ORDER BY up.create_event`,
        )
      ).map((r) => ({ create_event: r.create_event, active: r.active }));
    const repoBefore = await grantRow('repo');
    expect(repoBefore).toEqual([{ create_event: expect.anything(), active: true }]);

    await ns.client.mergePatch(kojiUserResource, ns.name, 'ku-alice', {
      spec: { permissions: ['repo', 'tag'] },
    });
    await waitForUser('ku-alice', (o) => inSync(o) && o?.status?.permissions?.join() === 'repo,tag');
    expect(cliPermissions('ku-alice')).toEqual(['repo', 'tag']);
    // repo was kept, not revoked and granted again: its one grant row is untouched.
    expect(await grantRow('repo')).toEqual(repoBefore);
    // ku-build was revoked (its row kept as history, inactive), tag granted once.
    expect(await grantRow('ku-build')).toEqual([{ create_event: expect.anything(), active: null }]);
    expect(await grantRow('tag')).toEqual([{ create_event: expect.anything(), active: true }]);
  });

  test('a user disabled and a permission revoked outside the operator are repaired within one drift interval', async () => {
    okCli('disable-user', 'ku-alice');
    okCli('revoke-permission', 'tag', 'ku-alice');
    expect((await admin.getUser('ku-alice'))?.status).toBe(UserStatus.BLOCKED);
    const started = Date.now();
    await eventually(
      async () =>
        (await admin.getUser('ku-alice'))?.status === UserStatus.NORMAL &&
        cliPermissions('ku-alice').join() === 'repo,tag',
      { timeoutMs: (DRIFT_SECONDS + 5) * 1000, what: 'ku-alice repaired' },
    );
    expect(Date.now() - started).toBeLessThan((DRIFT_SECONDS + 5) * 1000);
  });

  test('a hub that is down gives Ready=False HubUnavailable, and the change made meanwhile is applied when it is back', async () => {
    await hub.stopHub();
    try {
      await ns.client.mergePatch(kojiUserResource, ns.name, 'ku-alice', {
        spec: { permissions: ['repo', 'tag', 'image'] },
      });
      const down = await waitForUser('ku-alice', (o) => ready(o)?.reason === 'HubUnavailable');
      expect(ready(down)).toMatchObject({
        status: 'False',
        message: expect.stringMatching(/retrying in \d+s/),
      });
    } finally {
      await hub.startHub();
    }
    await waitForUser('ku-alice', (o) => inSync(o) && o?.status?.permissions?.join() === 'image,repo,tag');
    expect(cliPermissions('ku-alice')).toEqual(['image', 'repo', 'tag']);
  });

  test('a missing client-certificate Secret is issued from the CA, and the hub accepts it for login', async () => {
    await createUser('ku-bob', {
      permissions: [],
      auth: { ssl: { client_secret_name: 'ku-bob-cert', ca_secret_name: 'koji-hub-ca' } },
    });
    await waitForUser('ku-bob', inSync);
    const data = await readSecretData(ns.client, ns.name, 'ku-bob-cert');
    expect(Object.keys(data ?? {}).sort()).toEqual(['ca.crt', 'client.pem', 'tls.crt', 'tls.key']);
    const cert = new X509Certificate(data?.['tls.crt'] ?? '');
    expect(cert.subject).toBe('CN=ku-bob');
    // Log in with the issued certificate and key: the hub's TLS client auth and sslLogin accept it.
    const bob = new KojiClient({
      hubUrl: hub.url,
      ca: readFileSync(hub.caCertPath),
      cert: data?.['tls.crt'] ?? '',
      key: data?.['tls.key'] ?? '',
    });
    try {
      expect(await bob.getLoggedInUser()).toMatchObject({ name: 'ku-bob' });
    } finally {
      await bob.close();
    }
  });

  test('deleting the KojiUser disables the koji user (koji cannot delete users)', async () => {
    await ns.client.delete(kojiUserResource, ns.name, 'ku-bob');
    await waitForUser('ku-bob', (o) => o === undefined);
    expect(await admin.getUser('ku-bob')).toMatchObject({ name: 'ku-bob', status: UserStatus.BLOCKED });
  });
});

describe('one owner per koji user', () => {
  test("a KojiUser for kojira's user keeps what the Kojira needs, and its deletion leaves the user enabled with repo", async () => {
    await ns.client.create(Resources.kojira, {
      apiVersion: 'koji.fedoraproject.org/v1alpha1',
      kind: 'Kojira',
      metadata: { name: 'kojira', namespace: ns.name },
      spec: {
        hub_host: 'koji-hub:8443',
        cacert_secret: 'koji-hub-ca',
        client_cert_secret: 'kojira-client-cert',
        shared_pvc: 'koji-mnt',
      },
    });
    // The proposal's KojiUser lists repo; this one lists only tag, which used to revoke repo.
    await createUser('kojira', { permissions: ['tag'] });
    const synced = await waitForUser('kojira', (o) => inSync(o) && o?.status?.permissions?.length === 2);
    expect(synced?.status?.permissions).toEqual(['repo', 'tag']);
    expect(synced?.status?.neededBy).toEqual(['repo (Kojira kojira)']);
    expect(cliPermissions('kojira')).toEqual(['repo', 'tag']);

    await ns.client.delete(kojiUserResource, ns.name, 'kojira');
    await waitForUser('kojira', (o) => o === undefined);
    expect(await admin.getUser('kojira')).toMatchObject({ name: 'kojira', status: UserStatus.NORMAL });
    expect(cliPermissions('kojira')).toEqual(['repo']);
  });

  test("the operator's own admin identity cannot lose admin through a KojiUser", async () => {
    await createUser(hub.adminUser, { permissions: ['repo'] });
    const kept = await waitForUser(hub.adminUser, (o) => ready(o)?.reason === 'OperatorAdminProtected');
    expect(ready(kept)?.status).toBe('False');
    expect(ready(kept)?.message).toContain("the operator's own admin identity");
    expect(cliPermissions(hub.adminUser)).toEqual(['admin', 'repo']);
  });
});
