// The real kojira (PyPI koji, from the venv that setup.sh makes) against the emulated hub, as a
// hub with no tags, targets or builds answers it: kojira logs in with its certificate, takes its
// exclusive session and keeps running its main loop and its threads (currency, regen,
// autoregen, rmtree, check_external), which call repo.query, repo.updateEndEvents,
// repo.checkQueue, repo.autoRequests, getTagExternalRepos, getAllArches, listVolumes and
// repoInfo. kojira has no "run once" option, so each test starts it with a one-second loop, lets
// it go round several times and then stops it with SIGTERM, as a pod's stop does.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../support/eventually.ts';
import { startKojiHub, type KojiCliResult, type KojiHubHandle } from './hub.ts';

let hub: KojiHubHandle;
const running: Kojira[] = [];

beforeAll(async () => {
  hub = await startKojiHub();
  // kojira and norepo run kojira (whose exclusive sessions outlive a SIGTERM, so the CLI
  // calls use other users); repo-cli and plain-cli call the repo methods through the CLI.
  for (const user of ['kojira', 'norepo', 'repo-cli', 'plain-cli']) ok(hub.adminUser, 'add-user', user);
  for (const user of ['kojira', 'repo-cli']) ok(hub.adminUser, 'grant-permission', 'repo', user);
}, 120_000);

afterEach(async () => {
  for (const kojira of running.splice(0)) await kojira.stop();
});

afterAll(async () => {
  await hub?.stop();
});

function ok(user: string, ...args: string[]): string {
  const result: KojiCliResult = hub.koji(user, args);
  if (result.code !== 0) {
    throw new Error(
      `koji ${args.join(' ')} as ${user} exited ${result.code}:\n${result.stdout}${result.stderr}`,
    );
  }
  return result.stdout;
}

interface Kojira {
  process: ChildProcess;
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `kojira --fg --force-lock --debug` as `user` with a one-second loop. */
function startKojira(user: string, topdir: string, extraConfig: string[] = []): Kojira {
  const cert = hub.issueClientCert(user);
  const config = join(hub.runDir, `kojira-${user}.conf`);
  writeFileSync(
    config,
    [
      '[kojira]',
      `server = ${hub.url}`,
      `cert = ${cert.pemPath}`,
      `serverca = ${hub.caCertPath}`,
      `topdir = ${topdir}`,
      // Not empty: kojira 1.36.1 turns '' into None and then fails in add_file_logger(None).
      `logfile = ${join(hub.runDir, `kojira-${user}.log`)}`,
      ...extraConfig,
      '',
    ].join('\n'),
  );
  const kojiraBin = join(hub.kojiBin, '..', 'kojira');
  const child = spawn(kojiraBin, ['-c', config, '--fg', '--force-lock', '--debug', '--sleeptime', '1'], {
    env: { ...process.env, LANG: 'C.UTF-8' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const kojira: Kojira = {
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  running.push(kojira);
  return kojira;
}

/** How many times the emulator served `method` to `user` (its request log). */
function callsOf(method: string, user: string): number {
  const log = readFileSync(join(hub.runDir, 'kojihub.log'), 'utf8');
  return log.split('\n').filter((line) => line.includes(` ${method} user=${user} `)).length;
}

const THREADS = ['currency', 'regen', 'autoregen', 'rmtree', 'check_external'];

describe('the real kojira against the emulated hub', () => {
  test('logs in, holds its exclusive session and keeps looping without an error; exits 0 on SIGTERM', async () => {
    const topdir = join(hub.runDir, 'mnt-koji');
    // A repo directory the hub does not know: kojira asks repoInfo(7), gets nothing, and (with
    // expired_repo_lifetime = 0) removes it as a stray repo.
    mkdirSync(join(topdir, 'repos', 'f40-build', '7'), { recursive: true });
    const before = {
      query: callsOf('repo.query', 'kojira'),
      checkQueue: callsOf('repo.checkQueue', 'kojira'),
    };
    const kojira = startKojira('kojira', topdir, ['expired_repo_lifetime = 0']);
    await eventually(
      () =>
        callsOf('repo.query', 'kojira') - before.query >= 4 &&
        callsOf('repo.checkQueue', 'kojira') - before.checkQueue >= 3,
      { what: 'four main loops and three regen loops', timeoutMs: 30_000 },
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${kojira.output()}\n${hub.logTails(30)}`, {
        cause: error,
      });
    });
    await eventually(() => !existsSync(join(topdir, 'repos', 'f40-build', '7')), {
      what: 'kojira to remove the stray repo directory',
      timeoutMs: 15_000,
    });
    expect(kojira.process.exitCode).toBeNull();
    const out = kojira.output();
    expect(out).toContain('Entering main loop');
    for (const name of THREADS) expect(out).toContain(`${name} thread starting`);
    expect(out).toContain('Repo data: []');
    expect(out).toContain('Removing unexpected directory (no such repo)');
    expect(out).not.toMatch(/Traceback|ERROR|thread died|Authentication error/);
    for (const method of [
      'repo.updateEndEvents',
      'repo.autoRequests',
      'getTagExternalRepos',
      'getAllArches',
      'listVolumes',
      'repoInfo',
    ]) {
      expect(callsOf(method, 'kojira')).toBeGreaterThan(0);
    }
    const sessions = await hub.sql(
      "SELECT exclusive, master FROM sessions JOIN users ON users.id = sessions.user_id WHERE users.name = 'kojira' AND closed IS FALSE",
    );
    // The exclusive main session and one subsession per thread.
    expect(sessions.filter((s) => s.exclusive === true && s.master === null)).toHaveLength(1);
    expect(sessions.filter((s) => s.master !== null)).toHaveLength(THREADS.length);
    expect(await kojira.stop()).toBe(0);
  }, 90_000);

  test('without the repo permission its threads get koji fault ActionNotAllowed, and kojira keeps running', async () => {
    const kojira = startKojira('norepo', join(hub.runDir, 'mnt-koji-norepo'));
    await eventually(() => /Error in (regen|autoregen|currency) thread/.test(kojira.output()), {
      what: 'a refused thread',
      timeoutMs: 30_000,
    }).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}\n${kojira.output()}`, { cause: error });
    });
    expect(kojira.output()).toContain(
      'koji.ActionNotAllowed: repo permission required (logged in as norepo)',
    );
    expect(kojira.process.exitCode).toBeNull();
    expect(await kojira.stop()).toBe(0);
  }, 90_000);
});

describe('the repo calls through the koji CLI', () => {
  test('list-volumes shows the DEFAULT volume', () => {
    expect(ok(hub.adminUser, 'list-volumes')).toBe('DEFAULT\n');
  });

  test('repoinfo of a repo the hub does not have says so', () => {
    const result = hub.koji(hub.adminUser, ['repoinfo', '7']);
    expect(result.stderr).toContain('No such repo: 7');
  });

  test('list-external-repos --used lists none', () => {
    const lines = ok(hub.adminUser, 'list-external-repos', '--used').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Tag\s+Pri\s.*External repo name/);
  });

  test('repo.query checks fields and operators as koji does, and returns what the database holds', async () => {
    const bad = hub.koji(hub.adminUser, ['call', '--json', 'repo.query', '[["nosuch", "=", 1]]']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('ParameterError: Invalid field for query nosuch');
    const op = hub.koji(hub.adminUser, ['call', '--json', 'repo.query', '[["id", "LIKE", 1]]']);
    expect(op.stderr).toContain('ParameterError: Invalid operator: LIKE');

    // A tag and a READY repo made out of band, with the same SQL a real hub's schema takes.
    await hub.sql(
      "WITH t AS (INSERT INTO tag (name) VALUES ('f40-build') RETURNING id) " +
        "INSERT INTO repo (tag_id, state, opts, custom_opts) SELECT id, 1, '{\"src\": false}', '{}' FROM t",
    );
    const rows = JSON.parse(
      ok(
        hub.adminUser,
        'call',
        '--json',
        'repo.query',
        '[["state", "=", 1]]',
        '["id", "tag_name", "state", "opts", "creation_ts", "task_state"]',
      ),
    ) as Record<string, unknown>[];
    expect(rows).toEqual([
      {
        id: expect.any(Number),
        tag_name: 'f40-build',
        state: 1,
        opts: { src: false },
        creation_ts: expect.any(Number),
        task_state: null,
      },
    ]);
    const info = ok(hub.adminUser, 'repoinfo', String(rows[0]?.id));
    expect(info).toMatch(/^Tag name: f40-build$/m);
    expect(info).toMatch(/^State: READY$/m);
    expect(info).toMatch(/^Number of buildroots: 0$/m);

    // Changing repo state needs `repo`; kojira's own transition READY -> EXPIRED works.
    const refused = hub.koji('plain-cli', ['call', 'repoExpire', String(rows[0]?.id)]);
    expect(refused.stderr).toContain('ActionNotAllowed: repo permission required (logged in as plain-cli)');
    ok('repo-cli', 'call', 'repoExpire', String(rows[0]?.id));
    const back = hub.koji('repo-cli', ['call', 'repo.setState', String(rows[0]?.id), '1']);
    expect(back.stderr).toContain(
      `Invalid repo state transition for repo ${String(rows[0]?.id)}: EXPIRED -> READY`,
    );
    await hub.sql(`DELETE FROM repo WHERE id = ${Number(rows[0]?.id)}`);
  });
});
