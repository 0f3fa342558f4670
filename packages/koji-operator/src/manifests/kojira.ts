// Kojira -> its ConfigMap (kojira.conf) and a Deployment of exactly one pod. Recreate, not a
// rolling update: two kojiras would fight over the exclusive hub session (--force-lock kicks
// the other out) and over /mnt/koji.
import { createHash } from 'node:crypto';
import type { Kojira } from '../api/index.js';
import { renderKojiraConf } from '../config/index.js';
import { contractContainer, contractPod, mountFor } from './contract-pod.js';
import { defaultImages } from './images.js';
import type { RenderedChildren } from './koji-hub.js';
import { caVolume, clientVolume, configMapVolume, kojiMntVolume } from './pod.js';
import { configMap, deployment } from './workload.js';
export interface KojiraManifestInput {
  kojira: Kojira;
  referencedHash: string;
  override?: string | undefined;
  /** The hub's base URL as resolved (hub-address.ts). */
  hubUrl?: string | undefined;
}

export function kojiraNames(kojira: Kojira) {
  const name = kojira.metadata.name ?? '';
  return { deployment: name, config: `${name}-config` };
}

export function kojiraManifests({
  kojira,
  referencedHash,
  override,
  hubUrl,
}: KojiraManifestInput): RenderedChildren {
  const spec = kojira.spec;
  if (!spec) throw new Error(`Kojira ${kojira.metadata.name} has no spec`);
  const name = kojira.metadata.name ?? '';
  const names = kojiraNames(kojira);
  const conf = renderKojiraConf({ kojira: spec, override, ...(hubUrl ? { hubUrl } : {}) });
  const data = { 'kojira.conf': conf.text };
  const hash = createHash('sha256')
    .update(referencedHash)
    .update(JSON.stringify(data))
    .digest('hex')
    .slice(0, 32);
  return {
    children: [
      configMap(names.config, 'kojira', name, data),
      deployment({
        name: names.deployment,
        component: 'kojira',
        replicas: 1,
        recreate: true,
        hash,
        pod: {
          ...contractPod('kojira', spec),
          containers: [
            {
              name: 'kojira',
              image: spec.image ?? defaultImages.kojira,
              volumeMounts: ['kojira-conf', 'client', 'ca', 'koji-mnt', 'logs', 'tmp'].map((v) =>
                mountFor('kojira', v),
              ),
              ...contractContainer('kojira', spec),
            },
          ],
          volumes: [
            configMapVolume('kojira-conf', names.config, ['kojira.conf']),
            clientVolume(spec.client_cert_secret),
            caVolume(spec.cacert_secret),
            kojiMntVolume(spec.shared_pvc),
            { name: 'logs', emptyDir: {} },
            { name: 'tmp', emptyDir: {} },
          ],
        },
      }),
    ],
    dropped: conf.dropped,
  };
}
