// Several namespaces made ready for the proposal's CRs (examples/*.yaml) at once, with one hub
// emulator standing in for every namespace's hub: one CA (examples/gen-certs.sh's, applied in
// every namespace), one server certificate naming every namespace's hub Services, the Secrets,
// ConfigMaps and volumes the examples reference, and a dialer that takes a hub pod's endpoint
// to the emulator.
//
// How it fails: openssl, gen-certs.sh or a create that fails throws with its output; the hub
// emulator's own start errors are its own (test/koji-hub/hub.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '@fedora-operators/framework';
import { startKojiHub, type KojiHubHandle } from '../../../../test/koji-hub/hub.ts';
import { HubClientFactory } from '../../src/hub-connection/index.js';
import {
  create,
  isReady,
  provideVolume,
  readYaml,
  repoRoot,
  resourceOf,
  testClient,
  type TestNamespace,
} from './cluster.js';
import { hubPodsAre, serviceDialer } from './service-dialer.js';

/** The proposal's CRs, by their example file (examples/<name>.yaml), in the order kubectl applies them. */
export const proposalCrs = ['koji-hub', 'koji-web', 'kojira', 'koji-builder', 'koji-user'];

export interface ExampleNamespaces {
  hub: KojiHubHandle;
  /** A connection factory for one operator (replica): its hubs are dialed to the emulator. */
  hubFactory(): HubClientFactory;
  /** Creates the proposal's CRs in `namespace`, in order. */
  createCrs(namespace: TestNamespace): Promise<void>;
  /** `namespace/Kind` of every proposal CR in `namespaces` that is not Ready=True. */
  notReady(namespaces: TestNamespace[]): Promise<string[]>;
  /** Closes the factories, stops the hub, removes the PKI (the namespaces are the caller's). */
  close(): Promise<void>;
}

/** gen-certs.sh's hub certificate again, from its CA, naming the hub Services of every namespace. */
function hubCertificateForAll(pki: string, names: string[]): { certPath: string; keyPath: string } {
  const sans = names
    .flatMap((ns) => ['mb-koji-hub', 'koji-hub'].flatMap((svc) => [`${svc}.${ns}`, `${svc}.${ns}.svc`]))
    .map((host) => `DNS:${host}`)
    .join(',');
  const file = (name: string) => join(pki, name);
  writeFileSync(file('all.ext'), `basicConstraints=CA:FALSE\nsubjectAltName=${sans},DNS:localhost\n`);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/O=Koji Example/CN=mb-koji-hub'].concat([
      '-keyout',
      file('all.key'),
      '-out',
      file('all.csr'),
    ]),
  );
  openssl(
    ['x509', '-req', '-in', file('all.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key')].concat([
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      file('all.ext'),
      '-out',
      file('all.crt'),
    ]),
  );
  return { certPath: file('all.crt'), keyPath: file('all.key') };
}

export async function prepareExampleNamespaces(namespaces: TestNamespace[]): Promise<ExampleNamespaces> {
  const names = namespaces.map((ns) => ns.name);
  const pki = mkdtempSync(join(tmpdir(), 'example-pki.'));
  execFileSync('bash', [join(repoRoot, 'examples/gen-certs.sh'), pki], {
    env: { ...process.env, NAMESPACE: names[0] },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const serverCert = hubCertificateForAll(pki, names);
  const b64 = (path: string) => readFileSync(path).toString('base64');
  const secrets = parseAllDocuments(readFileSync(join(pki, 'secrets.yaml'), 'utf8'))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((d): d is KubeObject => d !== null)
    .map((secret) =>
      secret.metadata.name === 'koji-hub-service-cert'
        ? {
            ...secret,
            data: {
              ...(secret.data as Record<string, string>),
              'tls.crt': b64(serverCert.certPath),
              'tls.key': b64(serverCert.keyPath),
            },
          }
        : secret,
    );
  const listed = [
    ...secrets,
    ...readYaml('examples/postgres-secret.yaml'),
    ...readYaml('examples/configmaps.yaml'),
  ];
  // Namespaces in parallel, each one's objects in order (as kubectl apply would).
  await Promise.all(
    namespaces.map(async (ns) => {
      for (const object of listed) await create(ns.client, ns.name, object);
      await provideVolume(ns.client, ns.name, 'koji-hub-httpd-pvc', '1Gi', 'ReadWriteOnce');
      await provideVolume(ns.client, ns.name, 'koji-hub-mnt-pvc', '10Gi', 'ReadWriteMany');
    }),
  );
  const hub = await startKojiHub({
    ca: { certPath: join(pki, 'ca.crt'), keyPath: join(pki, 'ca.key') },
    serverCert,
  });
  const kube = testClient();
  const factories: HubClientFactory[] = [];
  return {
    hub,
    hubFactory: () => {
      const factory = new HubClientFactory({
        transport: {
          dial: serviceDialer(
            kube,
            hubPodsAre(kube, () => hub.port),
          ),
        },
      });
      factories.push(factory);
      return factory;
    },
    createCrs: async (ns) => {
      for (const file of proposalCrs)
        await create(ns.client, ns.name, readYaml(`examples/${file}.yaml`)[0] as KubeObject);
    },
    notReady: async (list) =>
      (
        await Promise.all(
          list.flatMap((ns) =>
            proposalCrs.map(async (file) => {
              const object = readYaml(`examples/${file}.yaml`)[0] as KubeObject;
              const name = object.metadata.name ?? '';
              return isReady(await ns.client.find(resourceOf(object), ns.name, name))
                ? []
                : [`${ns.name}/${object.kind}`];
            }),
          ),
        )
      ).flat(),
    close: async () => {
      for (const factory of factories) await factory.close();
      await hub.stop();
      kube.close();
      rmSync(pki, { recursive: true, force: true });
    },
  };
}
