// The proposal's Koji on a real node: the operator runs in-cluster from deploy/ (its RBAC,
// ServiceAccount, leader election, in-cluster config), PostgreSQL is deployed as a user would,
// and the example CRs become real pods whose real probes pass; the schema Job runs real psql
// against that PostgreSQL; `kubectl koji` runs the real koji CLI in the hub's sidecar through
// the kubelet's exec; a rotated Secret rolls the hub; the real kojira logs in with its issued
// certificate and keeps its repo loops going; KojiWeb, KojiBuilder and KojiUser turn Ready, so
// all five CRs are Ready together. kojiweb's publisher and kojid are STAND-INS (no registry
// ships them): the tests say so and check only what the stand-ins do (read their config and
// files, log in to the hub), never that koji's web pages or builds work.
// Images: test/koji-images (Debian/PyPI/npm builds of the image contract; STANDINS says which
// parts stand in for what no registry ships). Their slow layers are made by setup
// (scripts/setup.d/real-node.sh); the operator's layer is added here.
import { beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { kojiImages } from '../../koji-images/koji-images.ts';
import {
  applyExampleInputs,
  bindExampleHubVolumes,
  deployOperator,
  deployPostgres,
  repoRoot as root,
} from '../../koji-images/koji-stack.ts';
import { eventually } from '../../support/eventually.ts';
import { kubectl, runNames, waitReady } from '../support/node.ts';

// Pods of half-gigabyte images on a shared 2-core machine: minutes, not seconds.
jest.setTimeout(900_000);

const ns = 'koji';
const log = (m: string) => process.stderr.write(`[koji-real] ${m}\n`);
let pki: string;

/** Waits for `check`; on timeout the error carries every pod and the namespace's events. */
async function waitFor(what: string, check: () => boolean, timeoutMs = 180_000): Promise<void> {
  try {
    await eventually(check, { what, timeoutMs, intervalMs: 1000 });
  } catch (error) {
    const pods = kubectl(['get', 'pods', '-A', '-o', 'wide']);
    const events = kubectl(['-n', ns, 'get', 'events', '--sort-by=.lastTimestamp']);
    throw new Error(`${(error as Error).message}\n${pods}\n${events}`, { cause: error });
  }
}

/** The status of condition `type` on a CR of the namespace ('' when it has none yet). */
function condition(kind: string, name: string, type: string): string {
  return kubectl([
    '-n',
    ns,
    'get',
    kind,
    name,
    '-o',
    `jsonpath={.status.conditions[?(@.type=="${type}")].status}`,
  ]);
}

/** Applies examples/<file> and waits until that CR's condition `type` is True. */
async function applyExample(file: string, kind: string, name: string, type: string): Promise<void> {
  kubectl(['-n', ns, 'apply', '-f', join(root, 'examples', file)]);
  await waitFor(`${kind} ${name} ${type}=True`, () => condition(kind, name, type) === 'True', 300_000);
}

/** The hub container's log: the emulator's request lines (method, user, FAULT). */
function hubLog(): string {
  return kubectl(['-n', ns, 'logs', 'deploy/mb-koji-hub', '-c', 'koji-hub']);
}

/** kojira's repo.checkQueue calls the hub answered without a fault (one per regen cycle). */
function answeredRepoCalls(): number {
  return hubLog()
    .split('\n')
    .filter((l) => /repo\.checkQueue user=(b')?kojira\b/.test(l) && !l.includes('FAULT')).length;
}

/** Restarts of the kojira pods' containers. */
function kojiraRestarts(): number {
  const pods = JSON.parse(
    kubectl(['-n', ns, 'get', 'pods', '-l', 'app.kubernetes.io/name=kojira', '-o', 'json']),
  ) as { items: { status: { containerStatuses?: { restartCount: number }[] } }[] };
  return pods.items
    .flatMap((p) => p.status.containerStatuses ?? [])
    .reduce((sum, c) => sum + c.restartCount, 0);
}

beforeAll(async () => {
  const started = Date.now();
  const archive = await kojiImages(join(dirname(process.env.TESTCLUSTER_BIN ?? ''), 'images'), log);
  log(`koji images ready in ${((Date.now() - started) / 1000).toFixed(0)}s: ${archive}`);
  const importStarted = Date.now();
  execFileSync(
    'ctr',
    [
      '--address',
      process.env.TESTCLUSTER_CONTAINERD ?? '',
      '--namespace',
      'k8s.io',
      'images',
      'import',
      archive,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  log(`imported into the node in ${((Date.now() - importStarted) / 1000).toFixed(0)}s`);
  // In the node's run folder: swept with the run even when this process is killed.
  pki = join(runNames().runDir, 'koji-pki');
}, 1_800_000);

describe('Koji on a real node', () => {
  it('runs the operator in-cluster from deploy/, with leader election among its replicas', async () => {
    deployOperator(kubectl, ns);
    await waitFor('the operator Deployment has 2 ready replicas', () => {
      const deployment = JSON.parse(
        kubectl(['-n', 'koji-operator-system', 'get', 'deployment', 'koji-operator', '-o', 'json']),
      ) as { status: { readyReplicas?: number; updatedReplicas?: number } };
      return deployment.status.readyReplicas === 2 && deployment.status.updatedReplicas === 2;
    });
    const holders = kubectl(['get', 'leases', '-A', '-o', 'jsonpath={.items[*].spec.holderIdentity}']);
    const pods = kubectl([
      '-n',
      'koji-operator-system',
      'get',
      'pods',
      '-o',
      'jsonpath={.items[*].metadata.name}',
    ]).split(' ');
    expect(pods.filter((p) => holders.includes(p))).toHaveLength(1);
  });

  it('deploys PostgreSQL from Debian the way a user deploys their own', () => {
    deployPostgres(kubectl, ns);
    waitReady(ns, ['pod', '-l', 'app=postgresql'], 180);
  });

  it('turns the example KojiHub into Ready pods: schema loaded by real psql, probes passing', async () => {
    applyExampleInputs(kubectl, ns, pki);
    bindExampleHubVolumes(kubectl, ns, runNames().runDir);
    kubectl(['-n', ns, 'apply', '-f', join(root, 'examples', 'koji-hub.yaml')]);
    await waitFor(
      'the schema Job completes',
      () => kubectl(['-n', ns, 'get', 'jobs', '-o', 'jsonpath={.items[*].status.succeeded}']).includes('1'),
      300_000,
    );
    await waitFor(
      'the KojiHub is Ready',
      () =>
        kubectl([
          '-n',
          ns,
          'get',
          'kojihub',
          'mb-koji-hub',
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        ]) === 'True',
      300_000,
    );
  });

  it('runs the real koji CLI in the hub sidecar through `kubectl koji`, logged in by its certificate', () => {
    const out = execFileSync(
      process.execPath,
      [join(root, 'packages', 'koji-operator', 'dist', 'kubectl-plugin', 'main.js'), '-n', ns, 'hello'],
      { encoding: 'utf8', env: process.env },
    );
    expect(out).toMatch(/You are using the hub at https:\/\/\S+\/kojihub \(Koji 1\.36\.1\)/);
    expect(out).toContain('Authenticated via client certificate /etc/koji-pki/client/client.pem');
  });

  it('rolls the hub when its server certificate Secret is rotated, and serves the new certificate', async () => {
    const hubPods = () =>
      kubectl([
        '-n',
        ns,
        'get',
        'pods',
        '-l',
        'app.kubernetes.io/name=koji-hub',
        '-o',
        'jsonpath={.items[*].metadata.name}',
      ])
        .split(' ')
        .filter(Boolean);
    const before = hubPods();
    // A new certificate for the same key and names, from the same CA.
    const sans = execFileSync(
      'openssl',
      ['x509', '-in', join(pki, 'hub-service.crt'), '-noout', '-ext', 'subjectAltName'],
      {
        encoding: 'utf8',
      },
    )
      .split('\n')[1]
      ?.trim();
    writeFileSync(join(pki, 'rotated.ext'), `basicConstraints=CA:FALSE\nsubjectAltName=${sans}\n`);
    execFileSync(
      'openssl',
      [
        'x509',
        '-req',
        '-in',
        join(pki, 'hub-service.csr'),
        '-CA',
        join(pki, 'ca.crt'),
        '-CAkey',
        join(pki, 'ca.key'),
        '-CAcreateserial',
        '-days',
        '30',
        '-extfile',
        join(pki, 'rotated.ext'),
        '-out',
        join(pki, 'rotated.crt'),
      ],
      { stdio: 'ignore' },
    );
    const rotated = readFileSync(join(pki, 'rotated.crt'), 'utf8');
    const secret = JSON.parse(
      kubectl([
        '-n',
        ns,
        'create',
        'secret',
        'tls',
        'koji-hub-service-cert',
        `--cert=${join(pki, 'rotated.crt')}`,
        `--key=${join(pki, 'hub-service.key')}`,
        '--dry-run=client',
        '-o',
        'json',
      ]),
    ) as { data: Record<string, string> };
    kubectl([
      '-n',
      ns,
      'patch',
      'secret',
      'koji-hub-service-cert',
      '--type=merge',
      '-p',
      JSON.stringify({ data: secret.data }),
    ]);
    await waitFor(
      'a new hub pod replaces the old one and is Ready',
      () => {
        const now = hubPods();
        return (
          now.length === 1 &&
          !before.includes(now[0] ?? '') &&
          kubectl([
            '-n',
            ns,
            'get',
            'pod',
            now[0] ?? '',
            '-o',
            'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
          ]) === 'True'
        );
      },
      600_000,
    );
    const served = kubectl([
      '-n',
      ns,
      'exec',
      'deploy/mb-koji-hub',
      '-c',
      'koji-admin',
      '--',
      'python3',
      '-c',
      "import ssl; print(ssl.get_server_certificate(('localhost', 8443)))",
    ]);
    const body = (pem: string) => pem.replace(/-----[A-Z ]+-----|\s/g, '');
    expect(body(served)).toBe(body(rotated));
  });

  it('starts the example Kojira: the real kojira logs in with its issued certificate and keeps running its repo loops', async () => {
    // KojiSynced: its koji user exists with the repo permission.
    await applyExample('kojira.yaml', 'kojira', 'kojira', 'KojiSynced');
    // kojira's main loop (repo.query) and its regen thread (repo.checkQueue, which needs the
    // repo permission) answered without a fault, twice: at least one full 15 s cycle.
    await waitFor("kojira's repo loops go round against the hub", () => answeredRepoCalls() >= 2, 300_000);
    await waitFor('the Kojira is Ready', () => condition('kojira', 'kojira', 'Ready') === 'True', 300_000);
    // It stays up: no restart while two more of its 15 s cycles go round.
    const restarts = kojiraRestarts();
    const cycles = answeredRepoCalls();
    await waitFor('two more kojira cycles', () => answeredRepoCalls() >= cycles + 2, 120_000);
    expect(kojiraRestarts()).toBe(restarts);
    expect(condition('kojira', 'kojira', 'Ready')).toBe('True');
    expect(kubectl(['-n', ns, 'logs', 'deploy/kojira'])).not.toMatch(/Traceback|Invalid method|thread died/);
    expect(hubLog()).not.toMatch(
      /(repo\.\S+|getTagExternalRepos|listVolumes|repoInfo) user=(b')?kojira\b.*FAULT/,
    );
  });

  it('starts the example KojiWeb (real Apache; kojiweb itself is a STAND-IN): Ready, its user made on the hub', async () => {
    await applyExample('koji-web.yaml', 'kojiweb', 'koji-web', 'Ready');
    expect(condition('kojiweb', 'koji-web', 'KojiSynced')).toBe('True');
    // The stand-in page, served by the real Apache with the operator's config, reaches the hub
    // with web.conf's hub URL and CA.
    const page = kubectl([
      '-n',
      ns,
      'exec',
      'deploy/koji-web',
      '--',
      'python3',
      '-c',
      "import urllib.request; print(urllib.request.urlopen('http://localhost:8080/koji/').read().decode())",
    ]);
    expect(page).toContain('koji-web STAND-IN');
    expect(page).toMatch(/hub https:\/\/\S+\/kojihub: koji 1\.36\.1/);
  });

  it('starts the example KojiBuilder (kojid is a STAND-IN): its host registered on the hub, logged in, Ready', async () => {
    await applyExample('koji-builder.yaml', 'kojibuilder', 'default', 'Ready');
    const hosts = JSON.parse(
      kubectl(['-n', ns, 'get', 'kojibuilder', 'default', '-o', 'jsonpath={.status.hosts}']),
    ) as { name: string }[];
    expect(hosts.length).toBe(1);
    const listed = execFileSync(
      process.execPath,
      [join(root, 'packages', 'koji-operator', 'dist', 'kubectl-plugin', 'main.js'), '-n', ns, 'list-hosts'],
      { encoding: 'utf8', env: process.env },
    );
    // Enabled; not ready, as the stand-in never reports in with host.updateHost.
    expect(listed).toMatch(new RegExp(`^${hosts[0]?.name ?? '-'}\\s+Y\\s+N\\s`, 'm'));
    const logs = kubectl(['-n', ns, 'logs', `pod/${hosts[0]?.name ?? ''}`, '-c', 'kojid']);
    expect(logs).toContain('kojid STAND-IN');
    expect(logs).toMatch(new RegExp(`logged in to \\S+ as ${hosts[0]?.name ?? '-'}`));
    // The hub's CA is an anchor of the pod's system trust (the trust-hub-ca init container; its
    // update-ca-trust is a STAND-IN on Debian), the trust mock copies into its chroots: the
    // hub's HTTPS verifies with that trust alone, not with kojid's serverca.
    expect(logs).toContain('mock would copy /etc/pki/ca-trust');
    const init = kubectl(['-n', ns, 'logs', `pod/${hosts[0]?.name ?? ''}`, '-c', 'trust-hub-ca']);
    expect(init).toContain('anchor /etc/pki/ca-trust/source/anchors/koji-hub-ca.crt');
    const verified = kubectl([
      '-n',
      ns,
      'exec',
      `pod/${hosts[0]?.name ?? ''}`,
      '-c',
      'kojid',
      '--',
      'python3',
      '-c',
      [
        'import configparser, ssl, urllib.error, urllib.request',
        'c = configparser.RawConfigParser()',
        "c.read('/etc/kojid/kojid.conf')",
        "url = c.get('kojid', 'server').rsplit('/kojihub', 1)[0] + '/kojifiles/'",
        "ctx = ssl.create_default_context(cafile='/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem')",
        'try:',
        '    urllib.request.urlopen(url, context=ctx, timeout=10).close()',
        'except urllib.error.HTTPError:',
        '    pass',
        "print('verified', url)",
      ].join('\n'),
    ]);
    expect(verified).toMatch(/^verified https:\/\//m);
  });

  it('the example KojiUser is Ready, and all five CRs are Ready together', async () => {
    kubectl(['-n', ns, 'apply', '-f', join(root, 'examples', 'koji-user.yaml')]);
    await waitFor(
      'all five CRs are Ready',
      () =>
        [
          ['kojihub', 'mb-koji-hub'],
          ['kojiweb', 'koji-web'],
          ['kojira', 'kojira'],
          ['kojibuilder', 'default'],
          ['kojiuser', 'kojira'],
        ].every(([kind, name]) => condition(kind ?? '', name ?? '', 'Ready') === 'True'),
      300_000,
    );
  });
});
