// Kojira: one kojira per namespace. The oldest Kojira (creationTimestamp, then name) is the
// active one and owns a ConfigMap and a one-pod Deployment; any other is refused: its status
// names the active one and it owns nothing, so it cannot steal kojira's exclusive session.
// On the koji side, the active one's user (hub_username) exists, is enabled and has `repo`;
// its certificate is issued from the hub's client CA when its Secret is missing.
import {
  Controller,
  RbacRule,
  OnConfigMapChange,
  OnSecretChange,
  Owns,
  Reconcile,
  Watches,
  type HandlerContext,
  type KubeClient,
} from '@fedora-operators/framework';
import { ensureServiceUser, kojiraUser } from '../koji-sync/index.js';
import { issueMissingCertificates } from './certificates.js';
import { checkSharedVolume, namingTheClaim } from './shared-volume.js';
import { resolveAndReport } from './hub-address.js';
import { KojiSideController, lookUpHub, reportReadinessWithKoji, syncKojiSide } from './koji-side.js';
import { overrideKeys } from '../config/index.js';
import { kojiraDefinition, type Kojira, type KojiraSpec, type KojiraStatus } from '../api/index.js';
import { kojiraManifests, kojiraNames, Resources } from '../manifests/index.js';
import {
  applyRendered,
  deleteOwned,
  everyOneInTheNamespace,
  kojiApiVersion,
  readReferences,
  referencedHash,
  reportMissing,
  waitSeconds,
  workloadReadiness,
  issuesCertificates,
  kojiKind,
} from './support.js';
import { decodeConfigMap } from './koji-hub.js';

type Ctx = HandlerContext<KojiraSpec, KojiraStatus>;

/** Orders Kojiras oldest first; ties (same second) by name. */
export function byAge(a: Kojira, b: Kojira): number {
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  const [na, nb] = [a.metadata.name ?? '', b.metadata.name ?? ''];
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** The Kojira that runs in a namespace: the oldest one not being deleted. */
export async function activeKojira(
  client: KubeClient,
  namespace: string | undefined,
): Promise<Kojira | undefined> {
  const list = await client.list<Kojira>(Resources.kojira, namespace);
  return list.items.filter((k) => !k.metadata.deletionTimestamp).sort(byAge)[0];
}

const secretRefs = (spec: KojiraSpec) => [spec.cacert_secret, spec.client_cert_secret];
const configMapRefs = (spec: KojiraSpec) => [spec.configmap];

@Controller(kojiKind(kojiraDefinition))
@RbacRule(issuesCertificates)
@Owns({ apiVersion: 'apps/v1', kind: 'Deployment' })
@Owns({ apiVersion: 'v1', kind: 'ConfigMap' })
// Which Kojira is active depends on the others: the deletion of the active one wakes the next.
@Watches({
  apiVersion: kojiApiVersion,
  kind: 'Kojira',
  map: (changed, ours) => ours.filter((k) => k.metadata.uid !== changed.metadata.uid),
})
@Watches({ apiVersion: kojiApiVersion, kind: 'KojiHub', map: everyOneInTheNamespace })
// The shared /mnt/koji claim appearing (or going) changes whether the pods can run.
@Watches({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', map: namingTheClaim })
export class KojiraController extends KojiSideController {
  @Reconcile()
  async reconcile(ctx: Ctx) {
    const kojira = ctx.body as Kojira;
    const names = kojiraNames(kojira);
    const active = await activeKojira(ctx.client, ctx.namespace);
    if (active && active.metadata.uid !== ctx.meta.uid) {
      // Should this one have run before (the older one was created later by a clock skew
      // or restored from a backup), what it owns goes now.
      await deleteOwned(ctx, Resources.deployment, names.deployment);
      await deleteOwned(ctx, Resources.configMap, names.config);
      ctx.patch.status.active = false;
      ctx.patch.status.readyReplicas = 0;
      ctx.condition({
        type: 'Ready',
        status: 'False',
        reason: 'AnotherKojiraActive',
        message: `Kojira ${active.metadata.name} is already active in namespace ${ctx.namespace}; koji allows one kojira per instance, so this one runs nothing. Delete it, or delete ${active.metadata.name} to make this one active.`,
      });
      // The active one's deletion wakes this one (@Watches); this is a safety net.
      return { requeueAfterSeconds: waitSeconds * 4 };
    }
    ctx.patch.status.active = true;
    const spec = ctx.spec;
    const user = kojiraUser(kojira);
    const lookup = await lookUpHub(ctx, this.hub);
    const notIssued = await issueMissingCertificates(
      ctx,
      'hub' in lookup ? lookup.hub.spec?.ca_cert_secret : undefined,
      [{ secretName: spec.client_cert_secret, commonName: user.name }],
    );
    const refs = await readReferences(ctx, { secrets: secretRefs(spec), configMaps: configMapRefs(spec) });
    const missing = reportMissing(ctx, refs, notIssued);
    if (missing) return missing;
    const address = resolveAndReport(ctx, spec.hub_host, lookup, 'hub_host');
    if (!('ok' in address)) return address;
    const rendered = kojiraManifests({
      hubUrl: address.baseUrl,
      kojira,
      referencedHash: referencedHash(secretRefs(spec).map((n) => refs.secrets.get(n))),
      override: spec.configmap
        ? decodeConfigMap(refs.configMaps.get(spec.configmap), overrideKeys.kojira)
        : undefined,
    });
    await applyRendered(ctx, rendered, 'kojira.conf', 'kojira');
    const side = await syncKojiSide(ctx, this.hub, this.backoff, lookup, (client) =>
      ensureServiceUser(client, user),
    );
    const deployment = await ctx.client.find(Resources.deployment, ctx.namespace, names.deployment);
    const next = reportReadinessWithKoji(ctx, 'kojira', workloadReadiness(deployment, 'Deployment'), side, {
      synced: `koji user ${user.name} is enabled with the repo permission`,
      unmanaged: `make kojira's koji user ${user.name} with the repo permission`,
    });
    const volume = await checkSharedVolume(ctx, spec.shared_pvc, 'hub' in lookup ? lookup.hub : undefined);
    if (volume) {
      // The claim's arrival wakes this one (@Watches); the requeue is a safety net.
      ctx.condition({ type: 'Ready', status: 'False', reason: volume.reason, message: volume.message });
      return { requeueAfterSeconds: waitSeconds * 4 };
    }
    return next;
  }

  @OnSecretChange<Kojira>({ refs: (spec: KojiraSpec) => secretRefs(spec) })
  secretChanged(ctx: Ctx) {
    ctx.logger.info(`referenced Secret changed: ${Object.keys(ctx.new as object).join(', ')}`);
  }

  @OnConfigMapChange<Kojira>({ refs: (spec: KojiraSpec) => configMapRefs(spec) })
  configMapChanged(ctx: Ctx) {
    ctx.logger.info(`referenced ConfigMap changed: ${Object.keys(ctx.new as object).join(', ')}`);
  }
}
