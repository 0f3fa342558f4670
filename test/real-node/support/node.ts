// Access to the real cluster that test/cluster/jest-real-setup.ts started: kubectl through the
// loopback API bridge, and commands inside the run's network namespace (Service IPs, DNS).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeNames } from '../../cluster/node-names.ts';

function env(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: real-node tests run under test/cluster/jest-real-setup.ts`);
  return value;
}

export function runNames(): NodeNames {
  return JSON.parse(readFileSync(env('TESTCLUSTER_NAMES'), 'utf8')) as NodeNames;
}

/** The real kubectl (built with the control plane) against the run's apiserver. */
export function kubectl(args: string[], input?: string): string {
  try {
    return execFileSync(
      join(env('TESTCLUSTER_BIN'), 'kubectl'),
      [`--kubeconfig=${env('KUBECONFIG')}`, ...args],
      {
        input,
        encoding: 'utf8',
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: 180_000,
      },
    );
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string };
    throw new Error(`kubectl ${args.join(' ')} failed: ${e.stderr ?? ''}${e.stdout ?? ''}`, { cause: error });
  }
}

/** Applies objects (JSON) and returns kubectl's output. */
export function apply(namespace: string, objects: object[]): string {
  return kubectl(
    ['-n', namespace, 'apply', '-f', '-'],
    JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
  );
}

/** A command run in the run's network namespace (where ClusterIPs and the node IP are). */
export function inNetns(command: string, args: string[]): string {
  return execFileSync('nsenter', [`--net=${env('TESTCLUSTER_NETNS')}`, '--', command, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
}

/** What `kubectl describe` and the kubelet's events say about a pod, for failure messages. */
export function podReport(namespace: string, pod: string): string {
  try {
    return kubectl(['-n', namespace, 'describe', 'pod', pod]);
  } catch (error) {
    return String(error);
  }
}

/** what: kubectl arguments naming the objects, e.g. 'pod/web' or ['pod', '-l', 'app=web']. */
export function waitReady(namespace: string, what: string | string[], timeoutSeconds = 120): void {
  try {
    kubectl([
      '-n',
      namespace,
      'wait',
      '--for=condition=Ready',
      ...[what].flat(),
      `--timeout=${timeoutSeconds}s`,
    ]);
  } catch (error) {
    const pods = kubectl(['-n', namespace, 'get', 'pods', '-o', 'wide']);
    const events = kubectl(['-n', namespace, 'get', 'events', '--sort-by=.lastTimestamp']);
    throw new Error(`${what} did not turn Ready:\n${pods}\n${events}`, { cause: error });
  }
}
