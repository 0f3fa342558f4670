// The koji client against the koji hub emulator (test/koji-hub: koji's own marshalling and
// fault classes from the PyPI koji library, state in PostgreSQL, client-certificate login over
// TLS 1.3). Proves the wire format, login, session headers, fault mapping and re-login end to
// end, which the in-process fake in src/koji/client.test.ts can only imitate.
import { readFileSync } from 'node:fs';

import { startKojiHub, type KojiHubHandle } from '../../../test/koji-hub/hub.ts';
import {
  ActionNotAllowed,
  AuthType,
  GenericError,
  HubUnavailableError,
  KojiClient,
  RetryError,
  UserStatus,
  UserType,
  isAlreadyExists,
  isHubUnavailable,
  isNotFound,
  kojiCalls,
  type KojiTransportOptions,
} from '../src/koji/index.js';

let hub: KojiHubHandle;
const clients: KojiClient[] = [];

beforeAll(async () => {
  hub = await startKojiHub();
}, 120_000);

afterAll(async () => {
  for (const c of clients) await c.close().catch(() => undefined);
  await hub?.stop();
});

function clientFor(user: string | undefined, overrides: Partial<KojiTransportOptions> = {}): KojiClient {
  const cert = user ? hub.issueClientCert(user) : { certPath: hub.adminCertPath, keyPath: hub.adminKeyPath };
  const c = new KojiClient({
    hubUrl: hub.url,
    ca: readFileSync(hub.caCertPath),
    cert: readFileSync(cert.certPath),
    key: readFileSync(cert.keyPath),
    timeoutMs: 10_000,
    retry: { attempts: 3, initialDelayMs: 100, maxDelayMs: 500 },
    ...overrides,
  });
  clients.push(c);
  return c;
}

describe('KojiClient against the emulated hub', () => {
  let admin: KojiClient;
  beforeAll(() => {
    admin = clientFor(undefined);
  });

  test('logs in by client certificate', async () => {
    expect(await admin.getAPIVersion()).toBe(1);
    const me = await admin.getLoggedInUser();
    expect(me).toMatchObject({ name: hub.adminUser, authtype: AuthType.SSL, usertype: UserType.NORMAL });
    expect(await admin.hasPerm('admin')).toBe(true);
  });

  test('user lifecycle: create, already exists, permissions, disable, enable', async () => {
    expect(await admin.getUser('cl-alice')).toBeNull();
    const id = await admin.createUser('cl-alice');
    expect(typeof id).toBe('number');

    const dup = await admin.createUser('cl-alice').catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(GenericError);
    expect(isAlreadyExists(dup)).toBe(true);

    const unknownPerm = await admin.grantPermission('cl-alice', 'cl-build').catch((e: unknown) => e);
    expect(isNotFound(unknownPerm)).toBe(true);
    await admin.grantPermission('cl-alice', 'cl-build', true);
    await admin.grantPermission('cl-alice', 'repo');
    expect(isAlreadyExists(await admin.grantPermission('cl-alice', 'repo').catch((e: unknown) => e))).toBe(
      true,
    );
    expect((await admin.getUserPerms('cl-alice', false)).sort()).toEqual(['cl-build', 'repo']);
    expect((await admin.getAllPerms()).map((p) => p.name)).toEqual(
      expect.arrayContaining(['admin', 'cl-build']),
    );

    await admin.revokePermission('cl-alice', 'repo');
    expect(await admin.getUserPerms('cl-alice', false)).toEqual(['cl-build']);
    expect(isNotFound(await admin.revokePermission('cl-alice', 'repo').catch((e: unknown) => e))).toBe(true);

    await admin.disableUser('cl-alice');
    expect(await admin.getUser('cl-alice')).toMatchObject({ id, status: UserStatus.BLOCKED });
    await admin.enableUser('cl-alice');
    expect(await admin.getUser(id)).toMatchObject({
      name: 'cl-alice',
      status: UserStatus.NORMAL,
      krb_principals: [],
    });
  });

  test('hosts and channels', async () => {
    const id = await admin.addHost('cl-builder-0', ['x86_64', 'noarch']);
    expect(isAlreadyExists(await admin.addHost('cl-builder-0', ['x86_64']).catch((e: unknown) => e))).toBe(
      true,
    );

    const host = await admin.getHost('cl-builder-0');
    expect(host).toMatchObject({
      id,
      name: 'cl-builder-0',
      arches: 'x86_64 noarch',
      enabled: true,
      ready: false,
    });
    expect(typeof host?.capacity).toBe('number');
    expect(await admin.getHost('cl-nope')).toBeNull();

    expect(
      await admin.editHost('cl-builder-0', { arches: ['x86_64', 'aarch64'], capacity: 4, description: 'cl' }),
    ).toBe(true);
    expect(await admin.editHost('cl-builder-0', { capacity: 4 })).toBe(false);
    expect(await admin.getHost(id)).toMatchObject({
      arches: 'x86_64 aarch64',
      capacity: 4,
      description: 'cl',
    });

    expect((await admin.listChannels({ hostID: 'cl-builder-0' })).map((c) => c.name)).toEqual(['default']);
    await admin.addHostToChannel('cl-builder-0', 'createrepo');
    await admin.addHostToChannel('cl-builder-0', 'cl-container', true);
    expect(
      isAlreadyExists(await admin.addHostToChannel('cl-builder-0', 'createrepo').catch((e: unknown) => e)),
    ).toBe(true);
    await admin.removeHostFromChannel('cl-builder-0', 'default');
    expect((await admin.listChannels({ hostID: 'cl-builder-0' })).map((c) => c.name).sort()).toEqual([
      'cl-container',
      'createrepo',
    ]);
    expect((await admin.listHosts({ channelID: 'createrepo' })).map((h) => h.name)).toContain('cl-builder-0');

    await admin.disableHost('cl-builder-0');
    expect(await admin.getHost('cl-builder-0')).toMatchObject({ enabled: false });
    await admin.enableHost('cl-builder-0');
    expect(await admin.getHost('cl-builder-0')).toMatchObject({ enabled: true });
  });

  test('a user without admin gets ActionNotAllowed', async () => {
    await admin.createUser('cl-bob');
    const bob = clientFor('cl-bob');
    const err = await bob.createUser('cl-carol').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionNotAllowed);
    expect(await bob.hasPerm('admin')).toBe(false);
  });

  test('multiCall mixes results and faults, and is not atomic', async () => {
    const [created, dup, granted] = await admin.multiCall([
      kojiCalls.createUser('cl-dave'),
      kojiCalls.createUser('cl-alice'),
      kojiCalls.grantPermission('cl-dave', 'repo'),
    ]);
    expect(created.ok).toBe(true);
    expect(dup.ok || isAlreadyExists(dup.error)).toBe(true);
    expect(dup.ok).toBe(false);
    expect(granted).toEqual({ ok: true, value: undefined });
    expect(await admin.getUserPerms('cl-dave', false)).toEqual(['repo']);
  });

  test('i8 big integers and nil go through the hub and back (echo)', async () => {
    const v = await admin.transport.call('echo', [2 ** 40, 9007199254740993n, null, { a: [1.5, true] }]);
    expect(v).toEqual([2 ** 40, 9007199254740993n, null, { a: [1.5, true] }]);
  });

  test('logs in again when the hub expires the session (AuthExpired)', async () => {
    const relogins: unknown[] = [];
    const c = clientFor(undefined, {
      logger: {
        debug: (m, meta) => (m.includes('logging in again') ? relogins.push(meta?.faultCode) : undefined),
        warn: () => undefined,
      },
    });
    expect(await c.getAPIVersion()).toBe(1);
    await hub.sql('UPDATE sessions SET expired = TRUE');
    expect(await c.getAPIVersion()).toBe(1);
    expect(relogins).toEqual([1007]);
    expect(await c.getLoggedInUser()).toMatchObject({ name: hub.adminUser });
  });

  test('a stopped hub is HubUnavailable, and the client recovers when it is back', async () => {
    await hub.stopHub();
    try {
      const err = await admin.getAPIVersion().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HubUnavailableError);
      expect(isHubUnavailable(err)).toBe(true);
    } finally {
      await hub.startHub();
    }
    expect(await admin.getAPIVersion()).toBe(1);
  });
});

// koji 1.35.3's hub reads the call number from `Koji-Callnum` only. Without it a write whose
// answer was lost and which the client resends runs a second time; with it the hub refuses
// the resend (RetryError), as it does for koji's own client.
describe('a retried write on a hub that reads only Koji-Callnum (koji 1.35.3)', () => {
  let legacy: KojiHubHandle;
  beforeAll(async () => {
    legacy = await startKojiHub({
      hubOptions: { SessionCallnumHeader: false, LoseAnswerOf: 'grantPermission' },
    });
  }, 120_000);
  afterAll(async () => {
    await legacy?.stop();
  });

  test('is refused with RetryError, not applied twice', async () => {
    const c = new KojiClient({
      hubUrl: legacy.url,
      ca: readFileSync(legacy.caCertPath),
      cert: readFileSync(legacy.adminCertPath),
      key: readFileSync(legacy.adminKeyPath),
      timeoutMs: 10_000,
      retry: { attempts: 3, initialDelayMs: 100, maxDelayMs: 500 },
    });
    clients.push(c);
    await c.createUser('retried');
    // The hub grants, commits and loses the answer; the client resends with the same number.
    const error = await c.grantPermission('retried', 'repo').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryError);
    const rows = await legacy.sql(
      "SELECT count(*)::int AS n FROM user_perms up JOIN users u ON u.id = up.user_id WHERE u.name = 'retried'",
    );
    expect(rows).toEqual([{ n: 1 }]);
    expect(await c.getUserPerms('retried', false)).toEqual(['repo']);
  });
});
