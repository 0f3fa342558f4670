// KojiBuilder -> its ConfigMap (kojid.conf), a headless Service and a StatefulSet. Each
// replica is one koji host: the StatefulSet gives it a stable name (<builder>-0, -1, ...)
// that is its koji host name and the CN of its certificate. Replicas never share an identity:
// the client Secret holds `<pod name>.pem` per replica (client.pem serves replica 0 when
// there is only one), and an init container picks the pod's own file.
import { createHash } from 'node:crypto';
import type { KojiBuilder } from '../api/index.js';
import { renderKojidConf, renderMockSiteDefaults, secretKeys } from '../config/index.js';
import { kojidPaths } from '../images/contract.js';
import { contractContainer, contractPod, initResources, mountFor } from './contract-pod.js';
import { defaultImages } from './images.js';
import type { RenderedChildren } from './koji-hub.js';
import { labelsFor, selectorFor } from './labels.js';
import { caVolume, configMapVolume, kojiMntVolume, pkiDirs, type PodSpec, type Volume } from './pod.js';
import { child, Resources } from './resources.js';
import { configMap, podTemplate, service } from './workload.js';

export interface BuilderManifestInput {
  builder: KojiBuilder;
  referencedHash: string;
  override?: string | undefined;
  /** The hub's base URL and kojid's topurl, as resolved (hub-address.ts). */
  hubUrl?: string | undefined;
  topurl?: string | undefined;
}

export function builderNames(builder: KojiBuilder) {
  const name = builder.metadata.name ?? '';
  return { statefulSet: name, service: name, config: `${name}-config` };
}

const anchorFile = kojidPaths.hubCaAnchor.split('/').at(-1) ?? '';

/** The key of the operator's mock site-defaults.cfg in the builder's ConfigMap. */
export const siteDefaultsKey = 'site-defaults.cfg';

// The hub's CA becomes an anchor of the container's trust (mounted at hubCaAnchor); this
// rebuilds the extracted bundles, which mock copies into its chroots, into their emptyDir.
const trustHubCa = `set -eu
mkdir -p ${kojidPaths.caTrustExtracted}/pem/directory-hash ${kojidPaths.caTrustExtracted}/openssl \\
  ${kojidPaths.caTrustExtracted}/java ${kojidPaths.caTrustExtracted}/edk2
${kojidPaths.updateCaTrust} extract
test -s ${kojidPaths.caTrustExtracted}/pem/tls-ca-bundle.pem
`;

/** The pods of the replicas, in ordinal order (also their koji host names unless host_name is set). */
export function builderPodNames(builder: KojiBuilder): string[] {
  const n = builder.spec?.replicas ?? 1;
  return Array.from({ length: n }, (_, i) => `${builder.metadata.name}-${i}`);
}

const allCerts = kojidPaths.allClientCerts;

/** Default size limit of the /var/lib/mock emptyDir (mock's chroots). */
export const defaultMockSizeLimit = '50Gi';

const pickIdentity = `set -eu
if [ -f "${allCerts}/$POD_NAME.pem" ]; then src="${allCerts}/$POD_NAME.pem"
elif [ "$POD_NAME" = "$FIRST_POD" ] && [ -f "${allCerts}/${secretKeys.clientPem}" ]; then src="${allCerts}/${secretKeys.clientPem}"
else echo "no certificate for koji host $POD_NAME: add $POD_NAME.pem to the client Secret" >&2; exit 1
fi
cp "$src" "${pkiDirs.client}/${secretKeys.clientPem}"
chmod 0400 "${pkiDirs.client}/${secretKeys.clientPem}"
`;

export function builderManifests({
  builder,
  referencedHash,
  override,
  hubUrl,
  topurl,
}: BuilderManifestInput): RenderedChildren {
  const spec = builder.spec;
  if (!spec) throw new Error(`KojiBuilder ${builder.metadata.name} has no spec`);
  const name = builder.metadata.name ?? '';
  const names = builderNames(builder);
  const image = spec.image ?? defaultImages.builder;
  const conf = renderKojidConf({
    builder: spec,
    override,
    ...(hubUrl ? { hubUrl } : {}),
    ...(topurl ? { topurl } : {}),
  });
  const data = {
    'kojid.conf': conf.text,
    [siteDefaultsKey]: renderMockSiteDefaults({ builderName: name, caSecret: spec.cacert_secret }),
  };
  const hash = createHash('sha256')
    .update(referencedHash)
    .update(JSON.stringify(data))
    .digest('hex')
    .slice(0, 32);
  const mount = (volume: string) => mountFor('kojid', volume);
  const volumes: Volume[] = [
    configMapVolume('kojid-conf', names.config, ['kojid.conf']),
    { name: 'client-all', secret: { secretName: spec.client_cert_secret, defaultMode: 0o440 } },
    { name: 'client', emptyDir: { medium: 'Memory' } },
    caVolume(spec.cacert_secret),
    kojiMntVolume(spec.shared_pvc),
    { name: 'workdir', emptyDir: {} },
    { name: 'mock', emptyDir: { sizeLimit: spec.mock_size_limit ?? defaultMockSizeLimit } },
    { name: 'mock-cache', emptyDir: {} },
    { name: 'logs', emptyDir: {} },
    // The user's site-defaults.cfg wins over the operator's.
    configMapVolume('mock-site-defaults', spec.mock_config_cm ?? names.config, [siteDefaultsKey]),
    {
      name: 'hub-ca-anchor',
      // A public certificate: readable by all, as Fedora's anchors are.
      secret: {
        secretName: spec.cacert_secret,
        items: [{ key: secretKeys.caCert, path: anchorFile }],
        defaultMode: 0o444,
      },
    },
    { name: 'ca-trust-extracted', emptyDir: {} },
  ];
  const mounts = [
    'kojid-conf',
    'client',
    'ca',
    'koji-mnt',
    'workdir',
    'mock',
    'mock-cache',
    'logs',
    'mock-site-defaults',
    'hub-ca-anchor',
    'ca-trust-extracted',
  ].map(mount);
  const pod: PodSpec = {
    // mock needs root and a privileged container (chroots, bind mounts, namespaces): the
    // namespace must allow the privileged Pod Security level (OpenShift: the privileged SCC).
    ...contractPod('kojid', spec),
    initContainers: [
      {
        name: 'select-identity',
        image,
        command: ['/bin/sh', '-c', pickIdentity],
        env: [
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'FIRST_POD', value: `${name}-0` },
        ],
        volumeMounts: [
          { name: 'client-all', mountPath: allCerts, readOnly: true },
          { name: 'client', mountPath: pkiDirs.client },
        ],
        // Copies one file it owns (root): no capability needed.
        securityContext: {
          runAsUser: 0,
          runAsGroup: 0,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        },
        resources: initResources,
      },
      {
        name: 'trust-hub-ca',
        image,
        command: ['/bin/sh', '-c', trustHubCa],
        volumeMounts: [
          mount('hub-ca-anchor'),
          // Writable here only: kojid reads what this writes.
          { ...mount('ca-trust-extracted'), readOnly: false },
        ],
        // Writes into its emptyDir only; update-ca-trust needs no capability for that.
        securityContext: {
          runAsUser: 0,
          runAsGroup: 0,
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        },
        resources: initResources,
      },
    ],
    containers: [
      {
        name: 'kojid',
        image,
        volumeMounts: mounts,
        ...contractContainer('kojid', spec),
      },
    ],
    volumes,
  };
  return {
    children: [
      configMap(names.config, 'kojid', name, data),
      // Headless: gives each replica a stable DNS name (<pod>.<service>).
      service(names.service, 'kojid', name, [], { headless: true }),
      child(Resources.statefulSet, {
        metadata: { name: names.statefulSet, labels: labelsFor('kojid', name) },
        spec: {
          replicas: spec.replicas ?? 1,
          serviceName: names.service,
          // Hosts are independent; no need to start them one by one.
          podManagementPolicy: 'Parallel',
          selector: { matchLabels: selectorFor('kojid', name) },
          template: podTemplate('kojid', name, hash, pod),
        },
      }),
    ],
    dropped: conf.dropped,
  };
}
