// The real node does what a user's node does with the pod specs operators render: volumes with
// the modes and groups Kubernetes defines, probes, logs and exec through the kubelet, pod-to-
// Service traffic by cluster DNS name, and the API reachable from pods through the `kubernetes`
// Service.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestNamespace, type TestNamespace } from '../support/cluster.ts';
import { BUSYBOX_IMAGE } from '../cluster/node-images.ts';
import { apply, inNetns, kubectl, runNames, waitReady } from './support/node.ts';

let ns: TestNamespace;
beforeAll(async () => {
  ns = await createTestNamespace('realnode', { pods: true });
});
afterAll(async () => {
  await ns?.dispose();
});

const busybox = (name: string, command: string, extra: object = {}) => ({
  name,
  image: BUSYBOX_IMAGE,
  imagePullPolicy: 'Never',
  command: ['/bin/sh', '-c', command],
  ...extra,
});

/** An HTTP/1.0 GET sent with busybox nc from the `client` pod (its wget crashes: static NSS). */
function httpFromClient(target: string, path: string): string {
  const request = `printf 'GET ${path} HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${target}`;
  return kubectl(['-n', ns.name, 'exec', 'client', '--', 'sh', '-c', request]).trim();
}

describe('the real node', () => {
  it('is Ready with its InternalIP and the kubelet built from the pinned module', () => {
    const names = runNames();
    const node = JSON.parse(kubectl(['get', 'node', names.nodeName, '-o', 'json'])) as {
      status: {
        addresses: { type: string; address: string }[];
        nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string };
        conditions: { type: string; status: string }[];
      };
    };
    expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status.addresses).toContainEqual({ type: 'InternalIP', address: names.nodeIp });
    expect(node.status.nodeInfo.kubeletVersion).toBe('v1.34.2');
    expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\/1\./);
  });

  it('mounts Secrets, ConfigMaps and emptyDirs with the modes and fsGroup the spec asks for', () => {
    apply(ns.name, [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1' }, stringData: { password: 'hunter2' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1' }, data: { 'app.conf': 'key=value\n' } },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'volumes' },
        spec: {
          securityContext: { runAsUser: 48, runAsGroup: 48, fsGroup: 48 },
          containers: [
            busybox(
              'main',
              'id; stat -L -c "%a %u %g %n" /secret/password /config/app.conf; touch /scratch/x && echo scratch-writable; exec sleep 3600',
              {
                readinessProbe: { exec: { command: ['cat', '/secret/password'] }, periodSeconds: 2 },
                volumeMounts: [
                  { name: 's', mountPath: '/secret' },
                  { name: 'c', mountPath: '/config' },
                  { name: 'e', mountPath: '/scratch' },
                ],
              },
            ),
          ],
          volumes: [
            { name: 's', secret: { secretName: 's1', defaultMode: 0o440 } },
            { name: 'c', configMap: { name: 'c1' } },
            { name: 'e', emptyDir: {} },
          ],
        },
      },
    ]);
    waitReady(ns.name, 'pod/volumes');
    const logs = kubectl(['-n', ns.name, 'logs', 'volumes']);
    expect(logs).toContain('uid=48 gid=48 groups=48');
    expect(logs).toContain('440 0 48 /secret/password');
    expect(logs).toContain('644 0 48 /config/app.conf');
    expect(logs).toContain('scratch-writable');
    expect(kubectl(['-n', ns.name, 'exec', 'volumes', '--', 'cat', '/secret/password'])).toBe('hunter2');
    expect(kubectl(['-n', ns.name, 'exec', '-i', 'volumes', '--', 'cat'], 'via-stdin')).toBe('via-stdin');
  });

  it('routes pod traffic to a Service by its cluster DNS name, and host traffic to its ClusterIP', () => {
    apply(ns.name, [
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web', labels: { app: 'web' } },
        spec: {
          containers: [
            busybox(
              'httpd',
              'mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 8080 -h /www',
              {
                ports: [{ name: 'http', containerPort: 8080 }],
                readinessProbe: { httpGet: { path: '/index.html', port: 'http' }, periodSeconds: 2 },
              },
            ),
          ],
        },
      },
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'client' },
        spec: { containers: [busybox('c', 'exec sleep 3600')] },
      },
    ]);
    waitReady(ns.name, 'pod/web');
    waitReady(ns.name, 'pod/client');
    const get = (target: string) => httpFromClient(target, '/index.html').split('\n').pop();
    expect(get('web 80')).toBe('hello-from-web');
    expect(get(`web.${ns.name}.svc.cluster.local 80`)).toBe('hello-from-web');
    const clusterIp = kubectl(['-n', ns.name, 'get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    const viaHost = inNetns('sh', [
      '-c',
      `printf 'GET /index.html HTTP/1.0\\r\\n\\r\\n' | socat -t3 - TCP:${clusterIp}:80 | tail -1`,
    ]);
    expect(viaHost.trim()).toBe('hello-from-web');
  });

  it('gives the `kubernetes` Service endpoints on the node IP that pods reach the apiserver through', () => {
    const names = runNames();
    const endpoints = kubectl([
      '-n',
      'default',
      'get',
      'endpoints',
      'kubernetes',
      '-o',
      'jsonpath={.subsets[0].addresses[0].ip}',
    ]);
    expect(endpoints).toBe(names.nodeIp);
    // Plain HTTP to the TLS port: only an apiserver answers this way.
    expect(httpFromClient(`${names.apiServiceIp} 443`, '/')).toContain(
      'Client sent an HTTP request to an HTTPS server',
    );
  });
});
