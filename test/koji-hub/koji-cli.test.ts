// The koji hub emulator against clients no one here wrote: the real `koji` CLI from PyPI (run
// from the venv that setup.sh makes) and Node's own TLS 1.3 client speaking raw XML-RPC. The
// expected texts are the ones koji's hub and CLI produce (kojihub/*.py, cli/koji_cli/*.py; see
// README.md), so a test that passes here means the operator sees what a real hub would say.
import { readFileSync } from 'node:fs';
import { postXmlRpc, startKojiHub, type KojiCliResult, type KojiHubHandle } from './hub.ts';

let hub: KojiHubHandle;

beforeAll(async () => {
  hub = await startKojiHub();
}, 120_000);

afterAll(async () => {
  await hub?.stop();
});

function koji(user: string, ...args: string[]): KojiCliResult {
  return hub.koji(user, args);
}

/** Asserts success and returns stdout (with the CLI's output in the failure message). */
function ok(user: string, ...args: string[]): string {
  const result = koji(user, ...args);
  if (result.code !== 0) {
    throw new Error(
      `koji ${args.join(' ')} as ${user} exited ${result.code}:\n${result.stdout}${result.stderr}\n${hub.logTails(20)}`,
    );
  }
  return result.stdout;
}

/** The permission names of a `koji list-permissions` table. */
function permissionNames(table: string): string[] {
  return table
    .trimEnd()
    .split('\n')
    .slice(2)
    .map((line) => line.split(/\s+/)[0] ?? '');
}

describe('the koji CLI against the emulated hub', () => {
  test('moshimoshi greets the admin logged in by its client certificate', () => {
    const out = ok(hub.adminUser, 'moshimoshi');
    expect(out).toMatch(new RegExp(`^\\S.*, ${hub.adminUser}!$`, 'm'));
    expect(out).toMatch(
      new RegExp(`You are using the hub at ${hub.url.replace(/\./g, '\\.')} \\(Koji \\d+\\.\\d+\\.\\d+\\)`),
    );
    expect(out).toContain(`Authenticated via client certificate ${hub.adminPemPath}`);
  });

  test('the bootstrapped admin has exactly the admin permission', () => {
    const out = ok(hub.adminUser, 'list-permissions', '--mine');
    expect((out.split('\n')[0] ?? '').trim()).toBe('Permission name');
    expect(permissionNames(out)).toEqual(['admin']);
  });

  test('list-permissions lists koji default permissions with their descriptions', () => {
    const out = ok(hub.adminUser, 'list-permissions');
    expect(out).toMatch(/^host\s+Add, remove, enable, disable hosts and channels\.$/m);
    expect(permissionNames(out)).toEqual(expect.arrayContaining(['admin', 'host', 'repo', 'tag', 'target']));
  });

  test('an admin creates a user, grants (creating an unknown permission) and revokes permissions', async () => {
    expect(ok(hub.adminUser, 'add-user', 'alice')).toMatch(/^Added user alice \(\d+\)$/m);
    expect(koji(hub.adminUser, 'add-user', 'alice')).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('GenericError: user already exists: alice'),
    });

    // `build` is not a koji default permission: granting it needs --new (create=True).
    const unknown = koji(hub.adminUser, 'grant-permission', 'build', 'alice');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('GenericError: No such entry in table permissions: build');
    ok(hub.adminUser, 'grant-permission', '--new', 'build', 'alice');
    ok(hub.adminUser, 'grant-permission', 'repo', 'alice');
    expect(permissionNames(ok(hub.adminUser, 'list-permissions', '--user', 'alice'))).toEqual([
      'build',
      'repo',
    ]);
    expect(permissionNames(ok('alice', 'list-permissions', '--mine'))).toEqual(['build', 'repo']);

    const again = koji(hub.adminUser, 'grant-permission', 'repo', 'alice');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('GenericError: user alice already has permission: repo');

    ok(hub.adminUser, 'revoke-permission', 'repo', 'alice');
    expect(permissionNames(ok('alice', 'list-permissions', '--mine'))).toEqual(['build']);
    const notHeld = koji(hub.adminUser, 'revoke-permission', 'repo', 'alice');
    expect(notHeld.stderr).toContain('GenericError: user alice does not have permission: repo');

    // The grants are versioned rows made by the admin, as koji keeps them.
    const rows = await hub.sql(
      "SELECT p.name, up.active, c.name AS creator, r.name AS revoker FROM user_perms up JOIN permissions p ON p.id = up.perm_id JOIN users c ON c.id = up.creator_id LEFT JOIN users r ON r.id = up.revoker_id JOIN users u ON u.id = up.user_id WHERE u.name = 'alice' ORDER BY p.name",
    );
    expect(rows).toEqual([
      { name: 'build', active: true, creator: hub.adminUser, revoker: null },
      { name: 'repo', active: null, creator: hub.adminUser, revoker: hub.adminUser },
    ]);
  });

  test('userinfo shows a user, its permissions, status and type', () => {
    const out = ok(hub.adminUser, 'userinfo', 'alice');
    expect(out).toMatch(/^User name: alice$/m);
    expect(out).toMatch(/^User ID: \d+$/m);
    expect(out).toMatch(/^Permissions:\n {2}build$/m);
    expect(out).toMatch(/^Status: NORMAL$/m);
    expect(out).toMatch(/^Usertype: NORMAL$/m);
    const ghost = koji(hub.adminUser, 'userinfo', 'ghost');
    expect(ghost.stderr).toContain('No such user: ghost');
  });

  test('a user without admin gets the hub’s ActionNotAllowed text; host needs the host permission', () => {
    const grant = koji('alice', 'grant-permission', 'tag', 'alice');
    expect(grant.code).toBe(1);
    expect(grant.stderr).toContain('ActionNotAllowed: admin permission required (logged in as alice)');
    const addHost = koji('alice', 'add-host', 'alice-builder', 'x86_64');
    expect(addHost.code).toBe(1);
    expect(addHost.stderr).toContain('ActionNotAllowed: host permission required (logged in as alice)');

    ok(hub.adminUser, 'grant-permission', 'host', 'alice');
    expect(ok('alice', 'add-host', 'alice-builder', 'x86_64')).toMatch(/^alice-builder added: id \d+$/m);
    // host is not admin: creating users still needs admin.
    expect(koji('alice', 'add-user', 'bob').stderr).toContain(
      'ActionNotAllowed: admin permission required (logged in as alice)',
    );
  });

  test('a client certificate whose CN is not a koji user is refused (LoginCreatesUser off)', async () => {
    const result = koji('mallory', 'moshimoshi');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('AuthError: unable to obtain a session');
    expect(result.stderr).toContain('Unknown user: mallory');
    expect(await hub.sql("SELECT id FROM users WHERE name = 'mallory'")).toEqual([]);
  });

  test('add-host, add-host-to-channel, list-hosts, edit-host and disable-host', async () => {
    expect(ok(hub.adminUser, 'add-host', 'builder-a', 'x86_64', 'aarch64')).toMatch(
      /^builder-a added: id \d+$/m,
    );
    const dup = koji(hub.adminUser, 'add-host', 'builder-a', 'x86_64');
    expect(dup.stderr).toContain('builder-a is already in the database');
    expect(koji(hub.adminUser, 'add-host', 'alice', 'x86_64').stderr).toContain(
      'GenericError: user alice already exists and it is not a host',
    );

    ok(hub.adminUser, 'add-host-to-channel', 'builder-a', 'createrepo');
    expect(koji(hub.adminUser, 'add-host-to-channel', 'builder-a', 'container').stderr).toContain(
      'No such channel: container',
    );
    ok(hub.adminUser, 'add-host-to-channel', '--new', 'builder-a', 'container');
    expect(koji(hub.adminUser, 'add-host-to-channel', 'builder-a', 'createrepo').stderr).toContain(
      'GenericError: host builder-a is already subscribed to the createrepo channel',
    );
    ok(hub.adminUser, 'edit-host', 'builder-a', '--capacity', '4', '--description', 'the first builder');

    const list = ok(hub.adminUser, 'list-hosts', '--show-channels', '--description');
    const header = list.split('\n')[0];
    expect(header).toMatch(/^Hostname\s+Enb Rdy Load\/Cap\s+Arches\s+Last Update\s+Description\s+Channels$/);
    const line = list.split('\n').find((l) => l.startsWith('builder-a '));
    expect(line).toMatch(
      /^builder-a\s+Y\s+N\s+0\.0\/4\.0\s+x86_64,aarch64\s+-\s+the first builder\s+container,createrepo,default$/,
    );

    expect(ok(hub.adminUser, 'list-hosts', '--channel', 'container', '--quiet').trim()).toMatch(
      /^builder-a\s/,
    );
    ok(hub.adminUser, 'remove-host-from-channel', 'builder-a', 'container');
    expect(koji(hub.adminUser, 'list-hosts', '--channel', 'container').stderr).toContain('No hosts found.');

    ok(hub.adminUser, 'disable-host', 'builder-a');
    expect(ok(hub.adminUser, 'list-hosts', '--disabled', '--quiet')).toMatch(/^builder-a\s+N\s/m);
    expect(ok(hub.adminUser, 'list-hosts', '--enabled', '--quiet')).not.toMatch(/^builder-a\s/m);
    ok(hub.adminUser, 'enable-host', 'builder-a');
    expect(ok(hub.adminUser, 'list-hosts', '--enabled', '--quiet')).toMatch(/^builder-a\s+Y\s/m);

    expect(ok(hub.adminUser, 'userinfo', 'builder-a')).toMatch(/^Usertype: HOST$/m);
    // The capacity CHECK (capacity > 1) of koji's schema holds.
    expect(koji(hub.adminUser, 'edit-host', 'builder-a', '--capacity', '1').code).not.toBe(0);
    const [config] = await hub.sql(
      "SELECT capacity FROM host_config JOIN host ON host.id = host_id WHERE host.name = 'builder-a' AND active",
    );
    expect(config).toEqual({ capacity: 4 });
  });

  test('disable-user blocks logins and enable-user restores them', async () => {
    ok(hub.adminUser, 'disable-user', 'alice');
    expect(ok(hub.adminUser, 'userinfo', 'alice')).toMatch(/^Status: BLOCKED$/m);
    expect(await hub.sql("SELECT status FROM users WHERE name = 'alice'")).toEqual([{ status: 1 }]);
    const refused = koji('alice', 'moshimoshi');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('logins by alice are not allowed');

    ok(hub.adminUser, 'enable-user', 'alice');
    expect(ok('alice', 'moshimoshi')).toMatch(/, alice!$/m);
    expect(koji(hub.adminUser, 'disable-user', 'ghost').stderr).toContain(
      'GenericError: No such user: ghost',
    );
    expect(koji('alice', 'disable-user', hub.adminUser).stderr).toContain(
      'ActionNotAllowed: admin permission required (logged in as alice)',
    );
  });

  test('a user blocked out of band (SQL) cannot log in until unblocked', async () => {
    await hub.sql("UPDATE users SET status = 1 WHERE name = 'alice'");
    expect(koji('alice', 'moshimoshi').stderr).toContain('logins by alice are not allowed');
    await hub.sql("UPDATE users SET status = 0 WHERE name = 'alice'");
    expect(ok('alice', 'moshimoshi')).toMatch(/, alice!$/m);
  });
});

// --- raw XML-RPC, the way the operator's Node client talks to the hub

type XmlValue = string | number | boolean | null | XmlValue[] | { [key: string]: XmlValue };

function encode(value: XmlValue): string {
  if (value === null) return '<value><nil/></value>';
  if (typeof value === 'string')
    return `<value><string>${value.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</string></value>`;
  if (typeof value === 'boolean') return `<value><boolean>${value ? 1 : 0}</boolean></value>`;
  if (typeof value === 'number')
    return Number.isInteger(value)
      ? `<value><int>${value}</int></value>`
      : `<value><double>${value}</double></value>`;
  if (Array.isArray(value)) return `<value><array><data>${value.map(encode).join('')}</data></array></value>`;
  const members = Object.entries(value).map(([k, v]) => `<member><name>${k}</name>${encode(v)}</member>`);
  return `<value><struct>${members.join('')}</struct></value>`;
}

function methodCall(method: string, params: XmlValue[]): string {
  return `<?xml version='1.0'?><methodCall><methodName>${method}</methodName><params>${params
    .map((p) => `<param>${encode(p)}</param>`)
    .join('')}</params></methodCall>`;
}

/** faultCode and faultString of a fault response, or null when the response is not a fault. */
function fault(body: string): { code: number; text: string } | null {
  const match =
    /<fault>[\s\S]*?<name>faultCode<\/name>\s*<value><int>(-?\d+)<\/int><\/value>[\s\S]*?<name>faultString<\/name>\s*<value><string>([\s\S]*?)<\/string>/.exec(
      body,
    );
  return match
    ? {
        code: Number(match[1]),
        text: (match[2] ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
      }
    : null;
}

describe('the emulated hub on the wire (Node TLS 1.3 client, raw XML-RPC)', () => {
  const tls = () => ({
    ca: readFileSync(hub.caCertPath),
    cert: readFileSync(hub.adminCertPath),
    key: readFileSync(hub.adminKeyPath),
    minVersion: 'TLSv1.3' as const,
  });
  const call = (method: string, params: XmlValue[] = [], headers: Record<string, string> = {}, path = '') =>
    postXmlRpc(hub.url + path, methodCall(method, params), tls(), headers);

  async function login(): Promise<{
    id: number;
    key: string;
    headers: (callnum?: number) => Record<string, string>;
  }> {
    const res = await call('sslLogin', [], {}, '/ssllogin');
    expect(res.status).toBe(200);
    expect(fault(res.body)).toBeNull();
    const id = Number(/<name>session-id<\/name>\s*<value><int>(\d+)<\/int>/.exec(res.body)?.[1]);
    const key = /<name>session-key<\/name>\s*<value><string>([^<]+)<\/string>/.exec(res.body)?.[1] ?? '';
    expect(res.body).toMatch(/<name>header-auth<\/name>\s*<value><boolean>1<\/boolean>/);
    expect(key).toMatch(/^\d+-[A-Za-z0-9]{19}$/);
    const headers = (callnum?: number) => ({
      'Koji-Session-Id': String(id),
      'Koji-Session-Key': key,
      ...(callnum === undefined ? {} : { 'Koji-Session-Callnum': String(callnum) }),
    });
    return { id, key, headers };
  }

  test('sslLogin over TLS 1.3 gives a session the headers carry; logout closes it', async () => {
    const session = await login();
    const me = await call('getLoggedInUser', [], session.headers(1));
    expect(me.body).toMatch(new RegExp(`<name>name</name>\\s*<value><string>${hub.adminUser}</string>`));
    expect(me.body).toMatch(/<name>authtype<\/name>\s*<value><int>2<\/int>/);
    expect(me.body).toMatch(/<name>krb_principal<\/name>\s*<value><nil\/><\/value>/);
    // The legacy query-string form of the session is still accepted.
    const legacy = await call(
      'getLoggedInUser',
      [],
      {},
      `?session-id=${session.id}&session-key=${session.key}`,
    );
    expect(legacy.body).toContain(`<string>${hub.adminUser}</string>`);
    expect(fault((await call('logout', [], session.headers(2))).body)).toBeNull();
    expect(fault((await call('getLoggedInUser', [], session.headers(3))).body)).toEqual({
      code: 1002,
      text: 'Invalid session or bad credentials',
    });
  });

  test('an open session of a user blocked out of band fails at its next call', async () => {
    const alice = hub.issueClientCert('alice');
    const aliceTls = {
      ca: readFileSync(hub.caCertPath),
      cert: readFileSync(alice.certPath),
      key: readFileSync(alice.keyPath),
    };
    const res = await postXmlRpc(`${hub.url}/ssllogin`, methodCall('sslLogin', []), aliceTls);
    const id = /<name>session-id<\/name>\s*<value><int>(\d+)<\/int>/.exec(res.body)?.[1] ?? '';
    const key = /<name>session-key<\/name>\s*<value><string>([^<]+)<\/string>/.exec(res.body)?.[1] ?? '';
    const headers = { 'Koji-Session-Id': id, 'Koji-Session-Key': key };
    const before = await postXmlRpc(hub.url, methodCall('getLoggedInUser', []), aliceTls, headers);
    expect(before.body).toContain('<string>alice</string>');
    await hub.sql("UPDATE users SET status = 1 WHERE name = 'alice'");
    try {
      const after = await postXmlRpc(hub.url, methodCall('getLoggedInUser', []), aliceTls, headers);
      expect(fault(after.body)).toEqual({ code: 1002, text: 'logins by alice are not allowed' });
    } finally {
      await hub.sql("UPDATE users SET status = 0 WHERE name = 'alice'");
    }
  });

  test('anonymous calls work; client-cert login only works on /ssllogin with a certificate', async () => {
    expect((await call('getLoggedInUser')).body).toMatch(/<param>\s*<value><nil\/><\/value>/);
    expect(fault((await call('sslLogin')).body)).toEqual({
      code: 1002,
      text: 'could not verify client: None',
    });
    const noCert = await postXmlRpc(`${hub.url}/ssllogin`, methodCall('sslLogin', []), {
      ca: readFileSync(hub.caCertPath),
    });
    expect(fault(noCert.body)).toEqual({ code: 1002, text: 'could not verify client: NONE' });
    const anonymousWrite = await call('createUser', ['carol']);
    expect(fault(anonymousWrite.body)).toEqual({
      code: 1004,
      text: 'admin permission required (user not logged in)',
    });
  });

  test('koji wire types: kwargs as a __starstar struct, nil, i8, faults and argument checks', async () => {
    const session = await login();
    const perms = await call(
      'getUserPerms',
      [hub.adminUser, { with_groups: false, __starstar: true }],
      session.headers(),
    );
    expect(perms.body).toMatch(/<array><data>\s*<value><string>admin<\/string><\/value>\s*<\/data><\/array>/);
    expect((await call('getUser', ['nobody'])).body).toMatch(/<param>\s*<value><nil\/><\/value>/);
    expect(fault((await call('getUser', ['nobody', { strict: true, __starstar: true }])).body)).toEqual({
      code: 1000,
      text: "No such user: 'nobody'",
    });
    expect((await call('echo', [2 ** 40])).body).toContain('<i8>1099511627776</i8>');
    expect(fault((await call('noSuchMethod')).body)).toEqual({
      code: 1000,
      text: 'Invalid method: noSuchMethod',
    });
    expect(fault((await call('getAPIVersion', [1])).body)?.code).toBe(1019);
    expect((await call('getAPIVersion')).body).toContain('<int>1</int>');
    const methods = (await call('system.listMethods')).body;
    for (const name of ['sslLogin', 'getUser', 'grantPermission', 'addHost', 'addHostToChannel']) {
      expect(methods).toContain(`<string>${name}</string>`);
    }
  });

  test('multiCall is not atomic: a failed call is a fault struct and the others still commit', async () => {
    const session = await login();
    const res = await call(
      'multiCall',
      [
        [
          { methodName: 'createUser', params: ['multi-one'] },
          { methodName: 'createUser', params: [hub.adminUser] },
          { methodName: 'grantPermission', params: ['multi-one', 'repo'] },
        ],
      ],
      session.headers(),
    );
    expect(fault(res.body)).toBeNull();
    const results = /<params>([\s\S]*)<\/params>/.exec(res.body)?.[1] ?? '';
    expect(results).toMatch(/<name>faultCode<\/name>\s*<value><int>1000<\/int>/);
    expect(results).toContain(`<string>user already exists: ${hub.adminUser}</string>`);
    expect(results).toMatch(/<name>traceback<\/name>/);
    expect(
      await hub.sql(
        "SELECT p.name FROM user_perms up JOIN users u ON u.id = up.user_id JOIN permissions p ON p.id = up.perm_id WHERE u.name = 'multi-one' AND up.active",
      ),
    ).toEqual([{ name: 'repo' }]);
  });

  test('call numbers must increase; an expired session gives AuthExpired', async () => {
    const session = await login();
    // Only a call that writes stores its call number (as in koji), so write with 5.
    expect(fault((await call('createUser', ['seq-user'], session.headers(5))).body)).toBeNull();
    expect(fault((await call('getLoggedInUser', [], session.headers(3))).body)).toEqual({
      code: 1008,
      text: `5 > 3 (session ${session.id})`,
    });
    expect(fault((await call('createUser', ['seq-user2'], session.headers(5))).body)).toEqual({
      code: 1009,
      text: `unable to retry call 5 (method createUser) for session ${session.id}`,
    });
    await hub.sql(`UPDATE sessions SET start_time = now() - interval '2 days' WHERE id = ${session.id}`);
    expect(fault((await call('getLoggedInUser', [], session.headers(6))).body)).toEqual({
      code: 1007,
      text: `session "${session.id}" has expired`,
    });
  });

  test('GET is refused like the hub does; a stopped hub comes back with its state', async () => {
    const get = await new Promise<number>((resolve, reject) => {
      import('node:https').then(({ get: httpsGet }) =>
        httpsGet(hub.url, { ca: readFileSync(hub.caCertPath) }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject),
      );
    });
    expect(get).toBe(405);
    await hub.stopHub();
    await expect(call('getAPIVersion')).rejects.toThrow(/ECONNREFUSED/);
    await hub.startHub();
    expect(ok(hub.adminUser, 'userinfo', 'alice')).toMatch(/^User name: alice$/m);
  });
});
