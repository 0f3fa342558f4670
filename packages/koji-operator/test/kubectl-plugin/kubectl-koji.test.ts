// `kubectl koji` end to end: the real kubectl finds the plugin on PATH, the plugin finds the
// KojiHub and its Ready pod in the real control plane, and runs koji through the Kubernetes exec
// API (apiserver -> kubelet API over HTTPS). The "kubelet" is a KWOK node of this test
// (test/cluster/kwok-exec-node.ts) whose exec runs the koji-admin container's commands on this
// machine, where `koji` is the real PyPI CLI configured as the admin of the koji hub emulator
// (test/koji-hub) -- what the operator's admin sidecar does with /etc/koji.conf.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { startExecNode, type ExecNode } from '../../../../test/cluster/kwok-exec-node.ts';
import { startKojiHub, type KojiHubHandle } from '../../../../test/koji-hub/hub.ts';
import { kojiHubCr } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const pluginMain = join(repoRoot, 'packages/koji-operator/dist/kubectl-plugin/main.js');

let hub: KojiHubHandle;
let node: ExecNode;
let work: string;
/** A kubeconfig whose context namespace is `ns`, so commands are typed exactly as a user would. */
let kubeconfig: string;
let ns: string;
let otherNs: string;

const bin = (name: string) => join(process.env.TESTCLUSTER_BIN ?? '', name);
function kubectl(args: string[], input?: string): string {
  return execFileSync(bin('kubectl'), [`--kubeconfig=${process.env.KUBECONFIG}`, ...args], {
    input,
    encoding: 'utf8',
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}
const apply = (...objects: object[]) =>
  kubectl(['apply', '-f', '-'], objects.map((o) => stringify(o)).join('---\n'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `kubectl <args>` (so `kubectl koji ...` goes through kubectl's plugin lookup) as a user would. */
function run(args: string[], env: Record<string, string> = {}, command = bin('kubectl')): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: {
        ...process.env,
        KUBECONFIG: kubeconfig,
        PATH: `${join(work, 'plugins')}:${process.env.TESTCLUSTER_BIN}:${process.env.PATH}`,
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The hub Deployment as the operator names and labels it (its controllers are not run here). */
function hubDeployment(name: string, namespace: string): object {
  const labels = { 'app.kubernetes.io/name': 'koji-hub', 'app.kubernetes.io/instance': name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          ...node.podSpec,
          containers: [
            { name: 'hub', image: 'quay.io/fedora/koji-hub:test' },
            { name: 'koji-admin', image: 'quay.io/fedora/koji-admin:test' },
          ],
        },
      },
    },
  };
}

function namespace(name: string): void {
  kubectl(['create', 'namespace', name]);
}

/** The KojiHub CRD: crds/ (the globalSetup applied it) or, when absent, a minimal open one. */
function ensureKojiHubCrd(): void {
  try {
    kubectl(['get', 'crd', 'kojihubs.koji.fedoraproject.org']);
    return;
  } catch {
    // not installed (crds/ missing or invalid): install a minimal one
  }
  const open = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  apply({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'kojihubs.koji.fedoraproject.org' },
    spec: {
      group: 'koji.fedoraproject.org',
      scope: 'Namespaced',
      names: { kind: 'KojiHub', plural: 'kojihubs', singular: 'kojihub', listKind: 'KojiHubList' },
      versions: [
        {
          name: 'v1alpha1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object', properties: { spec: open, status: open } } },
        },
      ],
    },
  });
  kubectl(['wait', '--for=condition=Established', 'crd/kojihubs.koji.fedoraproject.org', '--timeout=60s']);
}

beforeAll(async () => {
  if (!existsSync(pluginMain)) throw new Error(`${pluginMain} is missing: run 'npx tsc -b' first`);
  work = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'kubectl-koji.'));
  const suffix = Math.random().toString(16).slice(2, 8);
  ns = `kubectl-koji-${suffix}`;
  otherNs = `kubectl-koji-nosidecar-${suffix}`;
  namespace(ns);
  namespace(otherNs);
  ensureKojiHubCrd();

  hub = await startKojiHub();

  // `kubectl koji` = this plugin, run by the Node that runs the tests.
  mkdirSync(join(work, 'plugins'));
  writeFileSync(
    join(work, 'plugins', 'kubectl-koji'),
    `#!/bin/sh\nexec '${process.execPath}' '${pluginMain}' "$@"\n`,
  );
  chmodSync(join(work, 'plugins', 'kubectl-koji'), 0o755);

  // The sidecar's `koji`: the real CLI from the venv, talking to the hub as its admin.
  mkdirSync(join(work, 'sidecar-bin'));
  writeFileSync(
    join(work, 'sidecar-bin', 'koji'),
    `#!/bin/sh\nexec '${hub.kojiBin}' -c '${hub.kojiCliConfig(hub.adminUser)}' "$@"\n`,
  );
  chmodSync(join(work, 'sidecar-bin', 'koji'), 0o755);
  mkdirSync(join(work, 'sidecar-home'));

  node = await startExecNode({
    workDir: join(work, 'node'),
    namespaces: [ns, otherNs],
    containers: {
      'koji-admin': {
        envs: [
          { name: 'HOME', value: join(work, 'sidecar-home') },
          { name: 'LANG', value: 'C.UTF-8' },
        ],
      },
    },
    pathPrefix: [join(work, 'sidecar-bin')],
  });

  // The user's kubeconfig: the test cluster's, with the namespace in the context.
  const config = parse(readFileSync(process.env.KUBECONFIG as string, 'utf8')) as {
    contexts: { context: Record<string, string> }[];
  };
  for (const c of config.contexts) c.context.namespace = ns;
  kubeconfig = join(work, 'kubeconfig');
  writeFileSync(kubeconfig, stringify(config), { mode: 0o600 });

  apply(
    { ...kojiHubCr('koji', { sidecar: true }), metadata: { name: 'koji', namespace: ns } },
    hubDeployment('koji', ns),
  );
  await eventually(
    () => {
      const pods = JSON.parse(
        kubectl(['get', 'pods', '-n', ns, '-l', 'app.kubernetes.io/instance=koji', '-o', 'json']),
      ) as { items: { status?: { conditions?: { type: string; status: string }[] } }[] };
      return pods.items.some((p) =>
        p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
    },
    { timeoutMs: 60_000, what: 'a Ready hub pod on the exec node' },
  );
}, 180_000);

afterAll(async () => {
  await node?.stop();
  await hub?.stop();
  for (const name of [ns, otherNs]) {
    if (name) {
      try {
        kubectl(['delete', 'namespace', name, '--wait=false']);
      } catch {
        // best effort
      }
    }
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('kubectl koji with the admin sidecar', () => {
  test('`kubectl koji grant-permission repo kojira` works as written, and koji sees the grant', async () => {
    const added = await run(['koji', 'add-user', 'kojira']);
    expect(added).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^Added user kojira \(\d+\)\n$/),
      stderr: '',
    });

    const granted = await run(['koji', 'grant-permission', 'repo', 'kojira']);
    expect(granted).toEqual({ code: 0, stdout: '', stderr: '' });

    const listed = await run(['koji', 'list-permissions', '--user', 'kojira']);
    expect(listed.code).toBe(0);
    expect(listed.stderr).toBe('');
    expect(
      listed.stdout
        .trimEnd()
        .split('\n')
        .slice(2)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(['repo']);

    // The hub itself, asked without the plugin, has the permission.
    expect(hub.koji(hub.adminUser, ['list-permissions', '--user', 'kojira']).stdout).toMatch(/^repo\s/m);
  });

  test("koji's own failures: its error text on stderr and its exit code, as when run directly", async () => {
    // An unknown user is a usage error for the koji CLI (exit 2)...
    const unknownUser = await run(['koji', 'grant-permission', 'repo', 'nosuchuser']);
    expect(unknownUser).toEqual({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining('koji: error: No such user: nosuchuser\n'),
    });
    // ...an unknown permission a hub fault (exit 1).
    const unknownPerm = await run(['koji', 'grant-permission', 'nosuchperm', 'kojira']);
    expect(unknownPerm).toEqual({
      code: 1,
      stdout: '',
      stderr: expect.stringContaining('GenericError: No such entry in table permissions: nosuchperm\n'),
    });
    // Byte for byte what the same CLI prints when run directly against the hub.
    const direct = hub.koji(hub.adminUser, ['grant-permission', 'repo', 'nosuchuser']);
    expect(unknownUser).toEqual({ code: direct.code, stdout: direct.stdout, stderr: direct.stderr });
  });

  test('-n, --hub and -- are the plugin options; what follows goes to koji', async () => {
    const result = await run(['koji', '-n', ns, '--hub', 'koji', '--', 'list-permissions', '--mine']);
    expect(result).toEqual({ code: 0, stdout: expect.stringMatching(/^admin\s/m), stderr: '' });
  });

  test('with a terminal as stdin (TTY mode, raw terminal): output and exit code still come through', async () => {
    // script(1) runs the command with a pseudo-terminal as its stdin/stdout; -e returns its exit code.
    const inTerminal = (command: string) =>
      run(['-c', `script -qec ${JSON.stringify(command)} /dev/null`], {}, '/bin/sh');
    const ok = await inTerminal('kubectl koji list-permissions --mine');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^admin\s/m);
    // With a TTY the remote stderr is the terminal too, as with kubectl exec -t.
    const failed = await inTerminal('kubectl koji grant-permission repo nosuchuser');
    expect(failed.code).toBe(2);
    expect(failed.stdout).toContain('koji: error: No such user: nosuchuser');
  });

  test('a user without pods/exec gets the forbidden message and exit code 69', async () => {
    apply(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'koji-reader', namespace: ns },
        rules: [
          { apiGroups: ['koji.fedoraproject.org'], resources: ['kojihubs'], verbs: ['get', 'list'] },
          { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'koji-reader', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'koji-reader' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'koji-reader' }],
      },
    );
    // The same admin credentials, impersonating koji-reader (kubeconfig `as:`).
    const config = parse(readFileSync(kubeconfig, 'utf8')) as { users: { user: Record<string, string> }[] };
    for (const u of config.users) u.user.as = 'koji-reader';
    const readerConfig = join(work, 'kubeconfig-reader');
    writeFileSync(readerConfig, stringify(config), { mode: 0o600 });

    const result = await eventually(
      async () => {
        const r = await run(['koji', 'list-users'], { KUBECONFIG: readerConfig });
        return r.code === 69 ? r : undefined;
      },
      { what: 'the RoleBinding to take effect' },
    );
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`error: you are not allowed to exec into pods in namespace "${ns}"`);
    expect(result.stderr).toContain('pods/exec');
  });
});

describe('kubectl koji without what it needs', () => {
  test('no KojiHub in the namespace: its own message and exit code 65', async () => {
    const result = await run(['koji', '-n', otherNs, 'list-users']);
    expect(result).toEqual({
      code: 65,
      stdout: '',
      stderr: expect.stringContaining(`error: there is no KojiHub in namespace "${otherNs}".`),
    });
  });

  test('a KojiHub with sidecar: false fails with the exact patch command and what happens next', async () => {
    apply({ ...kojiHubCr('plain', { sidecar: false }), metadata: { name: 'plain', namespace: otherNs } });
    const result = await run(['koji', '-n', otherNs, 'grant-permission', 'repo', 'kojira']);
    expect(result.code).toBe(66);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `kubectl patch kojihub plain -n ${otherNs} --type merge -p '{"spec":{"sidecar":true}}'`,
    );
    expect(result.stderr).toContain('Deployment "plain", which rolls out new hub pods');
    // The plugin only reads: the KojiHub is as it was.
    expect(kubectl(['get', 'kojihub', 'plain', '-n', otherNs, '-o', 'jsonpath={.spec.sidecar}'])).toBe(
      'false',
    );
  });

  test('several KojiHubs need --hub (65); a hub with the sidecar but no Ready pod gives 67', async () => {
    apply({ ...kojiHubCr('nopods', { sidecar: true }), metadata: { name: 'nopods', namespace: otherNs } });
    const several = await run(['koji', '-n', otherNs, 'list-users']);
    expect(several.code).toBe(65);
    expect(several.stderr).toContain(
      `namespace "${otherNs}" has 2 KojiHubs (nopods, plain); choose one with --hub`,
    );

    const noPod = await run(['koji', '-n', otherNs, '--hub', 'nopods', 'list-users']);
    expect(noPod.code).toBe(67);
    expect(noPod.stderr).toContain(`error: KojiHub "nopods" in namespace "${otherNs}" has no Ready pod`);

    const missing = await run(['koji', '-n', otherNs, '--hub', 'nothere', 'list-users']);
    expect(missing.code).toBe(65);
    expect(missing.stderr).toContain('error: KojiHub "nothere" was not found');
  });
});
