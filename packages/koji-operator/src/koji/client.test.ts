// The client against an in-process HTTPS server that answers like koji's hub (koji-style
// XML-RPC bodies, faults as HTTP 200, sslLogin at <hub>/ssllogin with a required client
// certificate). A fast tier only: the koji hub emulator under test/koji-hub is the real proof.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { inspect } from 'node:util';

import { kojiCalls } from './calls.js';
import { KojiClient } from './client.js';
import {
  ActionNotAllowed,
  AuthError,
  GenericError,
  HubUnavailableError,
  KojiHttpError,
  KojiTlsError,
  ParameterError,
  isAlreadyExists,
  isHubUnavailable,
} from './faults.js';
import type { KojiTransportOptions } from './transport.js';
import { UserStatus, UserType } from './types.js';

// ---- certificates: a CA, a hub cert for 127.0.0.1, a client cert, and a hub cert from another CA ----

interface Pki {
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  rogueServerCert: string;
  rogueServerKey: string;
}

function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'koji-client-test-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string) =>
    ssl(
      'req',
      '-x509',
      ...key,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-subj',
      `/CN=${name}`,
      '-days',
      '2',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
  const leaf = (name: string, cn: string, caName: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl('req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', cn);
    ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${caName}.crt`,
      '-CAkey',
      `${caName}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
  };
  try {
    ca('ca');
    ca('rogue-ca');
    const serverExt = 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n';
    leaf('server', '/CN=localhost', 'ca', serverExt);
    leaf('rogue-server', '/CN=localhost', 'rogue-ca', serverExt);
    leaf('client', '/O=KojiTest/OU=user/CN=kojiadmin', 'ca', 'extendedKeyUsage=clientAuth\n');
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    return {
      ca: read('ca.crt'),
      serverCert: read('server.crt'),
      serverKey: read('server.key'),
      clientCert: read('client.crt'),
      clientKey: read('client.key'),
      rogueServerCert: read('rogue-server.crt'),
      rogueServerKey: read('rogue-server.key'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- koji-style XML-RPC bodies ----

const ok = (valueXml: string) =>
  `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value>${valueXml}</value>\n</param>\n</params>\n</methodResponse>\n`;
const fault = (code: number, msg: string) =>
  `<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n` +
  `<member>\n<name>faultCode</name>\n<value><int>${code}</int></value>\n</member>\n` +
  `<member>\n<name>faultString</name>\n<value><string>${msg}</string></value>\n</member>\n` +
  `</struct></value>\n</fault>\n</methodResponse>\n`;
const member = (name: string, valueXml: string) =>
  `<member><name>${name}</name><value>${valueXml}</value></member>`;
const struct = (...members: string[]) => `<struct>${members.join('')}</struct>`;
const array = (...values: string[]) =>
  `<array><data>${values.map((v) => `<value>${v}</value>`).join('')}</data></array>`;
const NIL = '<nil/>';

// ---- the fake hub ----

interface HubRequest {
  path: string;
  headers: IncomingHttpHeaders;
  methodName: string;
  params: unknown[];
  raw: string;
  /** The client certificate's CN, when one was presented and verified. */
  clientCN: string | undefined;
}
type HubReply = string | { status: number; body: string } | 'hang' | 'destroy';
type Handler = (r: HubRequest, index: number) => HubReply;

const require = createRequire(import.meta.url);
const Deserializer = require('xmlrpc/lib/deserializer.js') as new () => {
  deserializeMethodCall(
    s: Readable,
    cb: (err: Error | null, method?: string, params?: unknown[]) => void,
  ): void;
};

function parseCall(raw: string): Promise<{ methodName: string; params: unknown[] }> {
  return new Promise((resolve, reject) =>
    new Deserializer().deserializeMethodCall(Readable.from([Buffer.from(raw)]), (err, methodName, params) =>
      err ? reject(err) : resolve({ methodName: methodName ?? '', params: params ?? [] }),
    ),
  );
}

class FakeHub {
  readonly requests: HubRequest[] = [];
  handler: Handler = () => ok(NIL);
  /** Login answers: the session ids handed out, in order. */
  sessions = 0;
  readonly server: https.Server;
  private readonly hung: ServerResponse[] = [];

  constructor(cert: string, key: string, ca: string) {
    this.server = https.createServer(
      { cert, key, ca, requestCert: true, rejectUnauthorized: false },
      (req, res) => this.onRequest(req, res),
    );
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const r of this.hung) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Requests other than sslLogin. */
  get calls(): HubRequest[] {
    return this.requests.filter((r) => r.methodName !== 'sslLogin');
  }
  get logins(): HubRequest[] {
    return this.requests.filter((r) => r.methodName === 'sslLogin');
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const socket = req.socket as TLSSocket;
      const peer = socket.authorized ? socket.getPeerCertificate() : undefined;
      const cn = peer?.subject?.CN;
      void parseCall(raw).then(({ methodName, params }) => {
        const r: HubRequest = {
          path: req.url ?? '',
          headers: req.headers,
          methodName,
          params,
          raw,
          clientCN: Array.isArray(cn) ? cn[0] : cn,
        };
        this.requests.push(r);
        const reply = methodName === 'sslLogin' ? this.login(r) : this.handler(r, this.calls.length - 1);
        if (reply === 'hang') {
          this.hung.push(res);
        } else if (reply === 'destroy') {
          req.socket.destroy();
        } else {
          const { status, body } = typeof reply === 'string' ? { status: 200, body: reply } : reply;
          res.writeHead(status, { 'Content-Type': 'text/xml', 'Koji-Version': '1.35.3' }).end(body);
        }
      });
    });
  }

  /** Like auth.Session.sslLogin: needs a verified client cert, answers a session struct. */
  private login(r: HubRequest): HubReply {
    if (r.path !== '/kojihub/ssllogin') return fault(1000, `Invalid method: sslLogin at ${r.path}`);
    if (!r.clientCN) return fault(1002, 'could not verify client: NONE');
    if (r.headers['koji-session-id']) return fault(1002, 'Already logged in');
    this.sessions += 1;
    return ok(
      struct(
        member('session-id', `<int>${100 + this.sessions}</int>`),
        member('session-key', `<string>7-SESSIONKEY${this.sessions}abcdefghi</string>`),
        member('header-auth', '<boolean>1</boolean>'),
      ),
    );
  }
}

// ---- fixtures ----

let pki: Pki;
let hub: FakeHub;
let port: number;
const clients: KojiClient[] = [];

beforeAll(() => {
  pki = makePki();
});

beforeEach(async () => {
  hub = new FakeHub(pki.serverCert, pki.serverKey, pki.ca);
  port = await hub.listen();
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.transport.close();
  await hub.close();
});

function client(overrides: Partial<KojiTransportOptions> = {}): KojiClient {
  const c = new KojiClient({
    hubUrl: `https://127.0.0.1:${port}/kojihub`,
    ca: pki.ca,
    cert: pki.clientCert,
    key: pki.clientKey,
    timeoutMs: 2000,
    retry: { attempts: 3, initialDelayMs: 20, maxDelayMs: 50 },
    ...overrides,
  });
  clients.push(c);
  return c;
}

// ---- tests ----

describe('login and session headers', () => {
  it('logs in at <hub>/ssllogin with the client certificate, then sends id, key and an increasing callnum', async () => {
    hub.handler = () => ok('<int>1</int>');
    const c = client();
    expect(await c.getAPIVersion()).toBe(1);
    await c.getAPIVersion();
    await c.getAPIVersion();

    expect(hub.logins).toHaveLength(1);
    const login = hub.logins[0]!;
    expect(login.path).toBe('/kojihub/ssllogin');
    expect(login.clientCN).toBe('kojiadmin');
    expect(login.headers['koji-session-id']).toBeUndefined();

    expect(hub.calls.map((r) => r.path)).toEqual(['/kojihub', '/kojihub', '/kojihub']);
    expect(hub.calls.map((r) => r.headers['koji-session-id'])).toEqual(['101', '101', '101']);
    expect(hub.calls.map((r) => r.headers['koji-session-key'])).toEqual(
      Array(3).fill('7-SESSIONKEY1abcdefghi'),
    );
    expect(hub.calls.map((r) => r.headers['koji-session-callnum'])).toEqual(['0', '1', '2']);
    // The header a koji 1.35.3 hub reads, with the same number.
    expect(hub.calls.map((r) => r.headers['koji-callnum'])).toEqual(['0', '1', '2']);
  });

  it('keeps callnums in order when calls are issued concurrently', async () => {
    hub.handler = () => ok('<int>1</int>');
    const c = client();
    await Promise.all(Array.from({ length: 8 }, () => c.getAPIVersion()));
    expect(hub.logins).toHaveLength(1);
    expect(hub.calls.map((r) => Number(r.headers['koji-session-callnum']))).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('strips a trailing slash from the hub URL', async () => {
    const c = client({ hubUrl: `https://127.0.0.1:${port}/kojihub/` });
    await c.enableUser('alice');
    expect(hub.logins[0]!.path).toBe('/kojihub/ssllogin');
    expect(hub.calls[0]!.path).toBe('/kojihub');
  });

  it('surfaces a refused login as AuthError, without retrying it', async () => {
    const c = client({ hubUrl: `https://127.0.0.1:${port}/elsewhere` });
    const err = await c.getAPIVersion().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GenericError);
    expect(hub.requests).toHaveLength(1);
  });

  it.each([
    [1002, 'Invalid session or bad credentials'],
    [1007, 'session "101" has expired'],
  ])('logs in again once and resends once on fault %i', async (code, msg) => {
    hub.handler = (_r, i) => (i === 0 ? fault(code, msg) : ok('<int>1</int>'));
    const c = client();
    expect(await c.getAPIVersion()).toBe(1);
    expect(hub.logins).toHaveLength(2);
    expect(hub.logins[1]!.headers['koji-session-id']).toBeUndefined(); // a fresh login, not "Already logged in"
    expect(hub.calls.map((r) => [r.headers['koji-session-id'], r.headers['koji-session-callnum']])).toEqual([
      ['101', '0'],
      ['102', '0'], // the new session starts at callnum 0, as koji's setSession does
    ]);
  });

  it('gives up after one re-login when the hub keeps refusing the session', async () => {
    hub.handler = () => fault(1002, 'Invalid session or bad credentials');
    const c = client();
    await expect(c.getAPIVersion()).rejects.toBeInstanceOf(AuthError);
    expect(hub.logins).toHaveLength(2);
    expect(hub.calls).toHaveLength(2);
  });

  it('does not log in again on other AuthError subclasses (1008 SequenceError)', async () => {
    hub.handler = () => fault(1008, '12 &gt; 3 (session 101)');
    const c = client();
    await expect(c.getAPIVersion()).rejects.toMatchObject({
      faultCode: 1008,
      faultString: '12 > 3 (session 101)',
    });
    expect(hub.logins).toHaveLength(1);
    expect(hub.calls).toHaveLength(1);
  });
});

describe('faults', () => {
  it.each([
    [1000, 'user already exists: alice', GenericError],
    [1004, 'admin permission required (logged in as bob)', ActionNotAllowed],
    [1019, 'Expecting at most 3 arguments', ParameterError],
  ])('maps fault %i to its class and never retries it', async (code, msg, cls) => {
    hub.handler = () => fault(code, msg);
    const c = client();
    const err = await c.createUser('alice').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(cls);
    expect(err).toMatchObject({ faultCode: code, faultString: msg, method: 'createUser' });
    expect(hub.calls).toHaveLength(1);
  });

  it('tells "already exists" from other GenericErrors', async () => {
    hub.handler = (r) =>
      r.params[0] === 'alice'
        ? fault(1000, 'user already exists: alice')
        : fault(1000, 'Name bad name! does not match RegexUserName value');
    const c = client();
    expect(isAlreadyExists(await c.createUser('alice').catch((e: unknown) => e))).toBe(true);
    expect(isAlreadyExists(await c.createUser('bad name!').catch((e: unknown) => e))).toBe(false);
  });

  it('turns 1014 ServerOffline into HubUnavailableError, without retrying', async () => {
    hub.handler = () => fault(1014, 'database outage');
    const c = client();
    const err = await c.getAPIVersion().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubUnavailableError);
    expect(err).toMatchObject({ reason: 'server-offline', faultCode: 1014, faultString: 'database outage' });
    expect(isHubUnavailable(err)).toBe(true);
    expect(hub.calls).toHaveLength(1);
  });

  it('turns a ServerOffline answer to sslLogin into HubUnavailableError too', async () => {
    const offline = new FakeHub(pki.serverCert, pki.serverKey, pki.ca);
    offline.handler = () => fault(1014, 'server startup error');
    (offline as unknown as { login: () => HubReply }).login = () => fault(1014, 'server startup error');
    const p = await offline.listen();
    try {
      const c = client({ hubUrl: `https://127.0.0.1:${p}/kojihub` });
      await expect(c.getAPIVersion()).rejects.toMatchObject({
        name: 'HubUnavailableError',
        reason: 'server-offline',
      });
    } finally {
      await offline.close();
    }
  });
});

describe('connection errors, timeouts and HTTP statuses', () => {
  it('retries connection refused, then reports HubUnavailable', async () => {
    await hub.close();
    const c = client({ retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 20 } });
    const debug: string[] = [];
    const logged = client({
      retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 20 },
      logger: { debug: (m) => debug.push(m), warn: (m) => debug.push(m) },
    });
    const err = await c.getAPIVersion().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HubUnavailableError);
    expect(err).toMatchObject({ reason: 'connection' });
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
    await logged.getAPIVersion().catch(() => undefined);
    expect(debug.filter((m) => m.includes('retrying'))).toHaveLength(2); // 3 attempts
    hub = new FakeHub(pki.serverCert, pki.serverKey, pki.ca); // for afterEach
    await hub.listen();
  });

  it('succeeds when the hub comes up while it is retrying', async () => {
    await hub.close();
    hub = new FakeHub(pki.serverCert, pki.serverKey, pki.ca);
    hub.handler = () => ok('<int>1</int>');
    const c = client({ retry: { attempts: 10, initialDelayMs: 100, maxDelayMs: 100 } });
    const pending = c.getAPIVersion();
    setTimeout(() => void hub.listen(port), 150);
    expect(await pending).toBe(1);
  });

  it('retries a dropped connection with the same callnum (koji: the hub detects a double call)', async () => {
    hub.handler = (_r, i) => (i === 0 ? 'destroy' : ok('<string>ok</string>'));
    const c = client();
    expect(await c.transport.call('echo')).toBe('ok');
    expect(hub.calls.map((r) => r.headers['koji-session-callnum'])).toEqual(['0', '0']);
  });

  it('retries after a timeout, then reports HubUnavailable(timeout) when every attempt times out', async () => {
    hub.handler = (_r, i) => (i === 0 ? 'hang' : ok('<int>1</int>'));
    const c = client({ timeoutMs: 300 });
    expect(await c.getAPIVersion()).toBe(1);
    expect(hub.calls).toHaveLength(2);

    hub.handler = () => 'hang';
    const err = await c.getAPIVersion().catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'HubUnavailableError', reason: 'timeout' });
    expect(hub.calls).toHaveLength(2 + 3);
  });

  it('retries 503 from a proxy but not 403 or 405', async () => {
    hub.handler = (_r, i) =>
      i === 0 ? { status: 503, body: '<html>Service Unavailable</html>' } : ok('<int>1</int>');
    const c = client();
    expect(await c.getAPIVersion()).toBe(1);
    expect(hub.calls).toHaveLength(2);

    hub.handler = () => ({
      status: 403,
      body: '<html><p>Cannot perform Post-Handshake Authentication.</p></html>',
    });
    const err = await c.getAPIVersion().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KojiHttpError);
    expect(err).toMatchObject({ statusCode: 403 });
    expect((err as Error).message).toContain('Post-Handshake');
    expect(hub.calls).toHaveLength(3);
  });
});

describe('TLS', () => {
  it('rejects a hub whose certificate is not signed by the given CA, without retrying', async () => {
    const rogue = new FakeHub(pki.rogueServerCert, pki.rogueServerKey, pki.ca);
    const p = await rogue.listen();
    try {
      const c = client({
        hubUrl: `https://127.0.0.1:${p}/kojihub`,
        retry: { attempts: 5, initialDelayMs: 1000 },
      });
      const started = Date.now();
      const err = await c.getAPIVersion().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KojiTlsError);
      expect(isHubUnavailable(err)).toBe(false);
      expect(Date.now() - started).toBeLessThan(1000); // no backoff: it was not retried
      expect(rogue.requests).toHaveLength(0);
    } finally {
      await rogue.close();
    }
  });
});

describe('secrets', () => {
  it('keeps key material and the session key out of inspect output and error messages', async () => {
    hub.handler = () => fault(1004, 'admin permission required (logged in as kojiadmin)');
    const c = client();
    const err = (await c.createUser('x').catch((e: unknown) => e)) as Error;
    const dump = inspect(c, { depth: 10, showHidden: true }) + inspect(err, { depth: 10 }) + err.message;
    expect(dump).not.toContain('PRIVATE KEY');
    expect(dump).not.toContain(pki.clientKey.split('\n')[1]);
    expect(dump).not.toContain('SESSIONKEY');
  });
});

describe('the typed API', () => {
  it('decodes a getHost struct with nil, double and boolean members', async () => {
    hub.handler = () =>
      ok(
        struct(
          member('id', '<int>3</int>'),
          member('user_id', '<int>9</int>'),
          member('name', '<string>builder-0</string>'),
          member('update_ts', NIL),
          member('ready', '<boolean>0</boolean>'),
          member('task_load', '<double>0.0</double>'),
          member('arches', '<string>x86_64 noarch</string>'),
          member('capacity', '<double>2.0</double>'),
          member('description', NIL),
          member('comment', NIL),
          member('enabled', '<boolean>1</boolean>'),
        ),
      );
    const host = await client().getHost('builder-0');
    expect(host).toEqual({
      id: 3,
      user_id: 9,
      name: 'builder-0',
      update_ts: null,
      ready: false,
      task_load: 0,
      arches: 'x86_64 noarch',
      capacity: 2,
      description: null,
      comment: null,
      enabled: true,
    });
    expect(hub.calls[0]!.params).toEqual(['builder-0']); // no kwargs struct when none given
  });

  it('returns null for a missing user (getUser answers <nil/>) and decodes a user', async () => {
    hub.handler = (r) =>
      r.params[0] === 'ghost'
        ? ok(NIL)
        : ok(
            struct(
              member('id', '<int>5</int>'),
              member('name', '<string>alice</string>'),
              member('status', '<int>1</int>'),
              member('usertype', '<int>0</int>'),
              member('krb_principals', array()),
            ),
          );
    const c = client();
    expect(await c.getUser('ghost')).toBeNull();
    const alice = await c.getUser('alice');
    expect(alice).toEqual({
      id: 5,
      name: 'alice',
      status: UserStatus.BLOCKED,
      usertype: UserType.NORMAL,
      krb_principals: [],
    });
  });

  it('sends optional arguments as koji kwargs, only when given', async () => {
    hub.handler = (r) => {
      switch (r.methodName) {
        case 'getUserPerms':
          return ok(array('<string>build</string>'));
        case 'createUser':
        case 'addHost':
          return ok('<int>7</int>');
        case 'editHost':
          return ok('<boolean>1</boolean>');
        case 'listHosts':
        case 'listChannels':
          return ok(array());
        default:
          return ok(NIL);
      }
    };
    const c = client();
    expect(await c.getUserPerms('alice', false)).toEqual(['build']);
    expect(await c.createUser('bob')).toBe(7);
    await c.createUser('carol', UserStatus.NORMAL, 'carol@EXAMPLE.COM');
    await c.grantPermission('alice', 'build', true);
    await c.revokePermission('alice', 'tag');
    expect(await c.addHost('builder-0', ['x86_64', 'noarch'], undefined, true)).toBe(7);
    expect(
      await c.editHost('builder-0', { arches: ['x86_64', 'aarch64'], capacity: 4, description: 'd' }),
    ).toBe(true);
    await c.listHosts({ channelID: 'createrepo', enabled: true });
    await c.listChannels({ hostID: 'builder-0' });
    await c.addHostToChannel('builder-0', 'createrepo', true);
    await c.removeHostFromChannel('builder-0', 'maven');
    await c.disableUser('alice');

    const sent = hub.calls.map((r) => [r.methodName, r.params]);
    expect(sent).toEqual([
      ['getUserPerms', ['alice', { with_groups: false, __starstar: true }]],
      ['createUser', ['bob']],
      ['createUser', ['carol', { status: 0, krb_principal: 'carol@EXAMPLE.COM', __starstar: true }]],
      ['grantPermission', ['alice', 'build', { create: true, __starstar: true }]],
      ['revokePermission', ['alice', 'tag']],
      ['addHost', ['builder-0', ['x86_64', 'noarch'], { force: true, __starstar: true }]],
      [
        'editHost',
        ['builder-0', { arches: 'x86_64 aarch64', capacity: 4, description: 'd', __starstar: true }],
      ],
      ['listHosts', [{ channelID: 'createrepo', enabled: true, __starstar: true }]],
      ['listChannels', [{ hostID: 'builder-0', __starstar: true }]],
      ['addHostToChannel', ['builder-0', 'createrepo', { create: true, __starstar: true }]],
      ['removeHostFromChannel', ['builder-0', 'maven']],
      ['disableUser', ['alice']],
    ]);
  });

  it('round-trips i8 big numbers and dates through a call', async () => {
    hub.handler = (r) => {
      expect(r.raw).toContain('<i8>9007199254740993</i8>');
      expect(r.raw).toContain('<dateTime.iso8601>20250102T03:04:05</dateTime.iso8601>');
      return ok(
        array(
          '<i8>9007199254740993</i8>',
          '<i8>4294967296</i8>',
          '<dateTime.iso8601>20250102T03:04:05</dateTime.iso8601>',
        ),
      );
    };
    const v = await client().transport.call('echo', [
      9007199254740993n,
      new Date(Date.UTC(2025, 0, 2, 3, 4, 5)),
    ]);
    expect(v).toEqual([9007199254740993n, 4294967296, new Date('2025-01-02T03:04:05Z')]);
  });

  it('rejects (does not throw) for arguments XML-RPC cannot carry, and sends nothing', async () => {
    const c = client();
    const p = c.transport.call('echo', [2n ** 64n]);
    await expect(p).rejects.toBeInstanceOf(RangeError);
    expect(hub.requests).toHaveLength(0);
  });

  it('rejects a result of the wrong shape', async () => {
    hub.handler = () => ok('<string>not a number</string>');
    await expect(client().getAPIVersion()).rejects.toMatchObject({ name: 'KojiProtocolError' });
  });
});

describe('multiCall', () => {
  it('batches calls and returns per-call results and typed faults (not atomic)', async () => {
    hub.handler = (r) => {
      expect(r.methodName).toBe('multiCall');
      return ok(
        array(
          array('<int>12</int>'),
          struct(
            member('faultCode', '<int>1000</int>'),
            member('faultString', '<string>user already exists: alice</string>'),
            member('traceback', array('<string>Traceback ...</string>')),
          ),
          array(NIL),
          array(array('<string>admin</string>')),
          struct(
            member('faultCode', '<int>1004</int>'),
            member('faultString', '<string>host permission required</string>'),
          ),
        ),
      );
    };
    const c = client();
    const [created, dup, granted, perms, denied] = await c.multiCall([
      kojiCalls.createUser('bob'),
      kojiCalls.createUser('alice'),
      kojiCalls.grantPermission('bob', 'build', true),
      kojiCalls.getUserPerms('bob', false),
      kojiCalls.addHost('h', ['x86_64']),
    ]);
    expect(created).toEqual({ ok: true, value: 12 });
    expect(dup.ok).toBe(false);
    if (!dup.ok) {
      expect(dup.error).toBeInstanceOf(GenericError);
      expect(isAlreadyExists(dup.error)).toBe(true);
      expect(dup.error).toMatchObject({ method: 'createUser' });
    }
    expect(granted).toEqual({ ok: true, value: undefined });
    expect(perms).toEqual({ ok: true, value: ['admin'] });
    expect(denied.ok || denied.error).toBeInstanceOf(ActionNotAllowed);

    expect(hub.calls).toHaveLength(1);
    expect(hub.calls[0]!.params).toEqual([
      [
        { methodName: 'createUser', params: ['bob'] },
        { methodName: 'createUser', params: ['alice'] },
        { methodName: 'grantPermission', params: ['bob', 'build', { create: true, __starstar: true }] },
        { methodName: 'getUserPerms', params: ['bob', { with_groups: false, __starstar: true }] },
        { methodName: 'addHost', params: ['h', ['x86_64']] },
      ],
    ]);
  });

  it('sends nothing for an empty batch', async () => {
    expect(await client().multiCall([])).toEqual([]);
    expect(hub.requests).toHaveLength(0);
  });

  it('throws when the batch as a whole fails', async () => {
    hub.handler = () => fault(1014, 'database outage');
    await expect(client().multiCall([kojiCalls.getAPIVersion()])).rejects.toBeInstanceOf(HubUnavailableError);
  });
});
