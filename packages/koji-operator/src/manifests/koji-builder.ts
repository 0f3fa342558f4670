// KojiBuilder -> its ConfigMap (kojid.conf), a headless Service and a StatefulSet. Each
// replica is one koji host: the StatefulSet gives it a stable name (<builder>-0, -1, ...)
// that is its koji host name and the CN of its certificate. Replicas never share an identity:
// the client Secret holds `<pod name>.pem` per replica (client.pem serves replica 0 when
// there is only one), and an init container picks the pod's own file.
import { createHash } from 'node:crypto';
import type { KojiBuilder } from '../api/index.js';
import { renderKojidConf, secretKeys } from '../config/index.js';
import { defaultImages } from './images.js';
import type { RenderedChildren } from './koji-hub.js';
import { labelsFor, selectorFor } from './labels.js';
import type { PodSpec } from './pod.js';
import {
  caMount,
  caVolume,
  clientMount,
  configMapVolume,
  kojiMntMount,
  kojiMntVolume,
  pkiDirs,
} from './pod.js';
import { child, Resources } from './resources.js';
import { configMap, podTemplate, service } from './workload.js';

export interface BuilderManifestInput {
  builder: KojiBuilder;
  referencedHash: string;
  override?: string | undefined;
}

export function builderNames(builder: KojiBuilder) {
  const name = builder.metadata.name ?? '';
  return { statefulSet: name, service: name, config: `${name}-config` };
}

/** The pods of the replicas, in ordinal order (also their koji host names unless host_name is set). */
export function builderPodNames(builder: KojiBuilder): string[] {
  const n = builder.spec?.replicas ?? 1;
  return Array.from({ length: n }, (_, i) => `${builder.metadata.name}-${i}`);
}

const allCerts = '/etc/koji-pki/client-all';

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
}: BuilderManifestInput): RenderedChildren {
  const spec = builder.spec;
  if (!spec) throw new Error(`KojiBuilder ${builder.metadata.name} has no spec`);
  const name = builder.metadata.name ?? '';
  const names = builderNames(builder);
  const image = spec.image ?? defaultImages.builder;
  const conf = renderKojidConf({ builder: spec, override });
  const data = { 'kojid.conf': conf.text };
  const hash = createHash('sha256')
    .update(referencedHash)
    .update(JSON.stringify(data))
    .digest('hex')
    .slice(0, 32);
  const pod: PodSpec = {
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
      },
    ],
    containers: [
      {
        name: 'kojid',
        image,
        // --fg: the container's process; --force-lock: take over the host's session from a
        // pod of the same ordinal that died without logging out.
        command: ['kojid', '--fg', '--force-lock', '--verbose', '--config', '/etc/kojid/kojid.conf'],
        volumeMounts: [
          { name: 'kojid-conf', mountPath: '/etc/kojid', readOnly: true },
          { ...clientMount, readOnly: true },
          caMount,
          // Builders read /mnt/koji; kojira and the hub write it.
          kojiMntMount(true),
          { name: 'workdir', mountPath: '/var/tmp/koji' },
        ],
        // mock builds in chroots and namespaces of its own.
        securityContext: { privileged: true },
      },
    ],
    volumes: [
      configMapVolume('kojid-conf', names.config, ['kojid.conf']),
      { name: 'client-all', secret: { secretName: spec.client_cert_secret, defaultMode: 0o440 } },
      { name: 'client', emptyDir: {} },
      caVolume(spec.cacert_secret),
      kojiMntVolume(spec.shared_pvc),
      { name: 'workdir', emptyDir: {} },
    ],
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
