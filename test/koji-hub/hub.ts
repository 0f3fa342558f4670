// Starts the koji hub emulator (kojihub_emulator.py beside this file) for integration tests:
// a private PostgreSQL (Debian's server, run as the postgres OS user, unix socket only, in a
// temporary folder), a throwaway PKI made with openssl (CA, hub server cert for 127.0.0.1 and
// localhost, client certs whose CN is the koji user name), and the emulator itself over HTTPS on
// a free 127.0.0.1 port. The admin user (CN kojiadmin) is bootstrapped with the admin permission.
// Needs `bash test/koji-hub/setup.sh` once per machine (PostgreSQL and the Python venv).
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { freePort, isAlive } from '../cluster/control-plane.ts';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export interface ClientCert {
  certPath: string;
  keyPath: string;
  /** Certificate and key in one file, as the koji CLI's `cert=` option wants it. */
  pemPath: string;
}

export interface KojiCliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KojiHubOptions {
  /** hub.conf options, e.g. { LoginCreatesUser: false, CheckClientIP: false } (see README.md). */
  hubOptions?: Record<string, string | number | boolean>;
  /** The bootstrapped admin's name (and client cert CN); default kojiadmin. */
  adminUser?: string;
  /**
   * A CA to use instead of a throwaway one (e.g. examples/gen-certs.sh's): it signs the hub's
   * and the users' certificates and is the CA client logins must chain to.
   */
  ca?: { certPath: string; keyPath: string };
  /** A server certificate to serve instead of one for localhost (e.g. a KojiHub's service certificate). */
  serverCert?: { certPath: string; keyPath: string };
  log?: (message: string) => void;
}

export interface KojiHubHandle {
  /** The hub URL as koji clients want it: https://127.0.0.1:<port>/kojihub */
  url: string;
  port: number;
  caCertPath: string;
  adminUser: string;
  adminCertPath: string;
  adminKeyPath: string;
  adminPemPath: string;
  /** The koji CLI from the venv (the real PyPI client). */
  kojiBin: string;
  runDir: string;
  /** A client cert (CN = cn) signed by the hub's CA; issued once per CN, then reused. */
  issueClientCert(cn: string): ClientCert;
  /** A koji client config file (authtype ssl) for that user's cert; returns its path. */
  kojiCliConfig(user: string): string;
  /** Runs the real koji CLI as that user: koji -c <kojiCliConfig(user)> ...args */
  koji(user: string, args: string[]): KojiCliResult;
  /** Runs SQL on the hub's database (to simulate out-of-band changes); returns the rows. */
  sql(query: string): Promise<Record<string, unknown>[]>;
  /**
   * libpq's variables for the PostgreSQL server (superuser `postgres`, database `database`),
   * e.g. to run psql-based scripts against a scratch database made with sql('CREATE DATABASE x').
   */
  postgresEnv(database?: string): Record<string, string>;
  /** Stops only the emulator process (the hub is down; PostgreSQL and state are kept). */
  stopHub(): Promise<void>;
  /** Starts the emulator again on the same port with the same state. */
  startHub(): Promise<void>;
  /** The tail of the emulator's and PostgreSQL's logs, for failure messages. */
  logTails(lines?: number): string;
  /** Stops everything it started and removes its temporary folder. */
  stop(): Promise<void>;
}

const SETUP_HINT = "run 'bash test/koji-hub/setup.sh' (it installs PostgreSQL and the Python venv)";

/** The Python venv that setup.sh makes; throws if it is missing. */
export function kojiHubVenv(): string {
  const venv =
    process.env.KOJI_HUB_VENV ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'koji-hub-venv');
  for (const file of ['bin/python', 'bin/koji']) {
    if (!existsSync(join(venv, file))) {
      throw new Error(`test/koji-hub: ${join(venv, file)} is missing; ${SETUP_HINT}`);
    }
  }
  return venv;
}

function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter(
          (v) => existsSync(join(root, v, 'bin', 'initdb')) && existsSync(join(root, v, 'bin', 'postgres')),
        )
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const [newest] = versions;
  if (newest === undefined) {
    throw new Error(`test/koji-hub: no PostgreSQL server under ${root}/*/bin; ${SETUP_HINT}`);
  }
  return join(root, newest, 'bin');
}

async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** Signals a process group, waits for it to end, then SIGKILLs what is left. */
async function stopGroup(pid: number, signal: NodeJS.Signals, timeoutMs = 15_000): Promise<void> {
  try {
    process.kill(-pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
  while (isAlive(pid)) await sleep(20);
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** One POST of an XML-RPC call to the hub; resolves with the HTTP status and body. */
export function postXmlRpc(
  url: string,
  body: string,
  tls: { ca: Buffer; cert?: Buffer; key?: Buffer; checkServerIdentity?: () => undefined },
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: 'POST',
        ...tls,
        headers: { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(body), ...headers },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

export async function startKojiHub(options: KojiHubOptions = {}): Promise<KojiHubHandle> {
  const log = options.log ?? (() => {});
  const adminUser = options.adminUser ?? 'kojiadmin';
  const venv = kojiHubVenv();
  const python = join(venv, 'bin', 'python');
  const kojiBin = join(venv, 'bin', 'koji');
  const pgBin = postgresBinDir();
  for (const tool of ['openssl', 'setpriv']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
      throw new Error(`test/koji-hub: ${tool} is missing; ${SETUP_HINT}`);
    }
  }

  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const runDir = mkdtempSync(join(base, 'koji-hub.'));
  // The postgres user must reach runDir/pg; nothing else in runDir is listed to others.
  chmodSync(runDir, 0o711);
  const pkiDir = join(runDir, 'pki');
  const pgDir = join(runDir, 'pg');
  mkdirSync(pkiDir, { mode: 0o700 });
  mkdirSync(pgDir, { mode: 0o700 });
  const processes: { name: string; pid: number }[] = [];
  const asRoot = process.getuid?.() === 0;
  // PostgreSQL refuses to run as root: run it as the postgres OS user (setpriv execs, so the
  // pid we keep is the server's own).
  const asPostgres = (command: string, args: string[]): [string, string[]] =>
    asRoot
      ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', command, ...args]]
      : [command, args];
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(pgDir, uid, gid);
  }

  const launch = (name: string, command: string, args: string[]): number => {
    const out = openSync(join(runDir, `${name}.log`), 'a');
    // detached: its own process group, so stopping it also stops anything it forked.
    const child = spawn(command, args, { detached: true, stdio: ['ignore', out, out] });
    closeSync(out);
    child.unref();
    if (child.pid === undefined) throw new Error(`test/koji-hub: could not start ${name}`);
    processes.push({ name, pid: child.pid });
    return child.pid;
  };

  const logTails = (lines = 40): string =>
    readdirSync(runDir)
      .filter((f) => f.endsWith('.log'))
      .map((f) => {
        const text = readFileSync(join(runDir, f), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
        return `--- ${f} (last ${lines} lines) ---\n${text}`;
      })
      .join('\n');

  const stopAll = async () => {
    for (const { name, pid } of [...processes].reverse()) {
      // postgres: SIGINT is its fast shutdown; the emulator ends on SIGTERM.
      await stopGroup(pid, name === 'postgres' ? 'SIGINT' : 'SIGTERM');
    }
    processes.length = 0;
    rmSync(runDir, { recursive: true, force: true });
  };

  try {
    // --- PKI
    log('making the PKI');
    const ca = join(pkiDir, 'ca.crt');
    const caKey = join(pkiDir, 'ca.key');
    if (options.ca) {
      writeFileSync(ca, readFileSync(options.ca.certPath));
      writeFileSync(caKey, readFileSync(options.ca.keyPath), { mode: 0o600 });
    } else
      openssl(
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '30'].concat([
          '-subj',
          '/O=KojiTest/CN=koji-hub-emulator-ca',
          '-keyout',
          caKey,
          '-out',
          ca,
        ]),
      );
    const signLeaf = (name: string, subject: string, extensions: string[]): ClientCert => {
      const keyPath = join(pkiDir, `${name}.key`);
      const certPath = join(pkiDir, `${name}.crt`);
      const csr = join(pkiDir, `${name}.csr`);
      const ext = join(pkiDir, `${name}.ext`);
      writeFileSync(ext, extensions.join('\n') + '\n');
      openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', keyPath, '-out', csr]);
      openssl(
        ['x509', '-req', '-in', csr, '-CA', ca, '-CAkey', caKey, '-CAcreateserial', '-days', '30'].concat([
          '-out',
          certPath,
          '-extfile',
          ext,
        ]),
      );
      const pemPath = join(pkiDir, `${name}.pem`);
      writeFileSync(pemPath, readFileSync(certPath, 'utf8') + readFileSync(keyPath, 'utf8'), { mode: 0o600 });
      return { certPath, keyPath, pemPath };
    };
    const server = options.serverCert
      ? { certPath: options.serverCert.certPath, keyPath: options.serverCert.keyPath }
      : signLeaf('hub', '/O=KojiTest/OU=hub/CN=localhost', [
          'keyUsage=critical,digitalSignature,keyEncipherment',
          'extendedKeyUsage=serverAuth',
          'subjectAltName=DNS:localhost,IP:127.0.0.1',
        ]);
    const clientCerts = new Map<string, ClientCert>();
    const issueClientCert = (cn: string): ClientCert => {
      if (!/^[A-Za-z0-9/_.@-]+$/.test(cn))
        throw new Error(`test/koji-hub: unsupported CN ${JSON.stringify(cn)}`);
      let cert = clientCerts.get(cn);
      if (!cert) {
        cert = signLeaf(`user-${cn.replace(/\//g, '_')}`, `/O=KojiTest/OU=user/CN=${cn}`, [
          'keyUsage=critical,digitalSignature,keyEncipherment',
          'extendedKeyUsage=clientAuth',
        ]);
        clientCerts.set(cn, cert);
      }
      return cert;
    };
    const admin = issueClientCert(adminUser);

    // --- PostgreSQL
    log('starting PostgreSQL');
    const pgPort = await freePort();
    const [initCmd, initArgs] = asPostgres(join(pgBin, 'initdb'), [
      '-D',
      join(pgDir, 'data'),
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
    if (init.status !== 0) {
      throw new Error(`test/koji-hub: initdb failed (${init.status}):\n${init.stdout}\n${init.stderr}`);
    }
    const [pgCmd, pgArgs] = asPostgres(join(pgBin, 'postgres'), [
      '-D',
      join(pgDir, 'data'),
      '-c',
      'listen_addresses=',
      '-c',
      `unix_socket_directories=${pgDir}`,
      '-c',
      `port=${pgPort}`,
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=100',
    ]);
    const pgPid = launch('postgres', pgCmd, pgArgs);
    const psql = (db: string, query: string) =>
      spawnSync(
        join(pgBin, 'psql'),
        ['-X', '-q', '-h', pgDir, '-p', String(pgPort), '-U', 'postgres', '-d', db, '-c', query],
        {
          encoding: 'utf8',
        },
      );
    const pgDeadline = Date.now() + 30_000;
    while (psql('postgres', 'SELECT 1').status !== 0) {
      if (!isAlive(pgPid)) throw new Error('test/koji-hub: postgres exited during startup');
      if (Date.now() > pgDeadline)
        throw new Error('test/koji-hub: postgres did not accept connections within 30s');
      await sleep(100);
    }
    const created = psql('postgres', 'CREATE DATABASE koji');
    if (created.status !== 0) throw new Error(`test/koji-hub: CREATE DATABASE failed: ${created.stderr}`);
    const dsn = `host=${pgDir} port=${pgPort} user=postgres dbname=koji`;

    // --- the emulator
    const portFile = join(runDir, 'hub.port');
    const optionArgs = Object.entries(options.hubOptions ?? {}).flatMap(([k, v]) => [
      '--option',
      `${k}=${v}`,
    ]);
    const caPem = readFileSync(ca);
    let port = 0;
    const startHub = async (): Promise<void> => {
      rmSync(portFile, { force: true });
      log('starting the koji hub emulator');
      const pid = launch('kojihub', python, [
        '-u',
        join(here, 'kojihub_emulator.py'),
        'serve',
        '--dsn',
        dsn,
        '--cert',
        server.certPath,
        '--key',
        server.keyPath,
        '--ca',
        ca,
        '--port',
        String(port),
        '--port-file',
        portFile,
        '--admin',
        adminUser,
        ...optionArgs,
      ]);
      const deadline = Date.now() + 30_000;
      while (!existsSync(portFile)) {
        if (!isAlive(pid)) throw new Error('test/koji-hub: the emulator exited during startup');
        if (Date.now() > deadline) throw new Error('test/koji-hub: the emulator did not listen within 30s');
        await sleep(50);
      }
      port = Number(readFileSync(portFile, 'utf8'));
      const probe = await postXmlRpc(
        `https://127.0.0.1:${port}/kojihub`,
        "<?xml version='1.0'?><methodCall><methodName>getAPIVersion</methodName><params></params></methodCall>",
        // A given server certificate names the hub's Services, not 127.0.0.1; the probe only
        // asks whether the emulator answers.
        options.serverCert ? { ca: caPem, checkServerIdentity: () => undefined } : { ca: caPem },
      );
      if (probe.status !== 200 || !probe.body.includes('<int>1</int>')) {
        throw new Error(`test/koji-hub: getAPIVersion probe answered ${probe.status}: ${probe.body}`);
      }
    };
    await startHub();
    const url = `https://127.0.0.1:${port}/kojihub`;
    log(`koji hub emulator ready at ${url} (logs in ${runDir})`);

    const kojiCliConfig = (user: string): string => {
      const cert = issueClientCert(user);
      const file = join(runDir, `koji-${user.replace(/\//g, '_')}.conf`);
      writeFileSync(
        file,
        [
          '[koji]',
          `server = ${url}`,
          `weburl = https://127.0.0.1:${port}/koji`,
          `topurl = https://127.0.0.1:${port}/kojifiles`,
          'authtype = ssl',
          `cert = ${cert.pemPath}`,
          `serverca = ${ca}`,
          '',
        ].join('\n'),
      );
      return file;
    };

    const handle: KojiHubHandle = {
      url,
      port,
      caCertPath: ca,
      adminUser,
      adminCertPath: admin.certPath,
      adminKeyPath: admin.keyPath,
      adminPemPath: admin.pemPath,
      kojiBin,
      runDir,
      postgresEnv: (database = 'koji') => ({
        PGHOST: pgDir,
        PGPORT: String(pgPort),
        PGUSER: 'postgres',
        PGDATABASE: database,
        PATH: `${pgBin}:${process.env.PATH ?? ''}`,
      }),
      issueClientCert,
      kojiCliConfig,
      koji(user, args) {
        const result = spawnSync(kojiBin, ['-c', kojiCliConfig(user), ...args], {
          encoding: 'utf8',
          env: { ...process.env, HOME: runDir, LANG: 'C.UTF-8' },
          timeout: 60_000,
        });
        if (result.error) throw result.error;
        return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
      },
      sql(query) {
        return new Promise((resolve, reject) => {
          execFile(
            python,
            [join(here, 'kojihub_emulator.py'), 'sql', '--dsn', dsn, query],
            { encoding: 'utf8' },
            (error, stdout, stderr) => {
              if (error) reject(new Error(`test/koji-hub: SQL failed: ${query}\n${stderr}`));
              else resolve((JSON.parse(stdout) as { rows: Record<string, unknown>[] }).rows);
            },
          );
        });
      },
      async stopHub() {
        const index = processes.findIndex((p) => p.name === 'kojihub');
        if (index < 0) return;
        const [entry] = processes.splice(index, 1);
        if (entry) await stopGroup(entry.pid, 'SIGTERM');
      },
      startHub,
      logTails,
      stop: stopAll,
    };
    return handle;
  } catch (error) {
    const tails = existsSync(runDir) ? logTails() : '';
    await stopAll();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n${tails}`, { cause: error });
  }
}
