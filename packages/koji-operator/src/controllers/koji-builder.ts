// KojiBuilder: kojid.conf, the headless Service and the StatefulSet of koji hosts, and on the
// koji side one registered host per replica (koji-sync/builder-hosts.ts): arches, channels and
// enabled state kept as the spec says; replicas scaled away and all hosts of a deleted
// KojiBuilder are disabled (koji cannot delete hosts). Each replica logs in with its own
// certificate (CN = host name), issued from the hub's client CA when the Secret is missing.
import {
  Controller,
  RbacRule,
  OnConfigMapChange,
  OnDelete,
  OnSecretChange,
  Owns,
  Reconcile,
  TemporaryError,
  Watches,
  type HandlerContext,
} from '@fedora-operators/framework';
import { overrideKeys } from '../config/index.js';
import {
  kojiBuilderDefinition,
  type KojiBuilder,
  type KojiBuilderSpec,
  type KojiBuilderStatus,
} from '../api/index.js';
import { HubConnectionError, hubProblemOf } from '../hub-connection/index.js';
import { builderHostIdentities, retireBuilderHosts, syncBuilderHosts } from '../koji-sync/index.js';
import {
  buildrootFilesCheck,
  builderManifests,
  builderNames,
  filesUrlFor,
  Resources,
} from '../manifests/index.js';
import { resolveAndReport } from './hub-address.js';
import { ensureBuilderCertificates } from './certificates.js';
import { decodeConfigMap } from './koji-hub.js';
import { checkSharedVolume, namingTheClaim } from './shared-volume.js';
import { KojiSideController, lookUpHub, reportReadinessWithKoji, syncKojiSide } from './koji-side.js';
import {
  applyRendered,
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

type Ctx = HandlerContext<KojiBuilderSpec, KojiBuilderStatus>;

const secretRefs = (spec: KojiBuilderSpec) => [spec.cacert_secret, spec.client_cert_secret];
const configMapRefs = (spec: KojiBuilderSpec) => [spec.configmap, spec.mock_config_cm];

@Controller(kojiKind(kojiBuilderDefinition))
@RbacRule(issuesCertificates)
@Owns({ apiVersion: 'apps/v1', kind: 'StatefulSet' })
@Owns({ apiVersion: 'v1', kind: 'Service' })
@Owns({ apiVersion: 'v1', kind: 'ConfigMap' })
// A KojiHub that appears (or changes its CA or admin certificate) is what the koji side needs.
@Watches({ apiVersion: kojiApiVersion, kind: 'KojiHub', map: everyOneInTheNamespace })
// The shared /mnt/koji claim appearing (or going) changes whether the pods can run.
@Watches({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', map: namingTheClaim })
export class KojiBuilderController extends KojiSideController {
  @Reconcile()
  async reconcile(ctx: Ctx) {
    const builder = ctx.body as KojiBuilder;
    const spec = ctx.spec;
    const lookup = await lookUpHub(ctx, this.hub);
    // Before the Secret is read: a missing one may be issued now.
    const certificates = await ensureBuilderCertificates(
      ctx,
      'hub' in lookup ? lookup.hub : undefined,
      spec.client_cert_secret,
      builderHostIdentities(builder),
    );
    const refs = await readReferences(ctx, { secrets: secretRefs(spec), configMaps: configMapRefs(spec) });
    const missing = reportMissing(
      ctx,
      refs,
      certificates.state === 'unavailable' ? [certificates.message] : [],
    );
    if (missing) return missing;
    const address = resolveAndReport(ctx, spec.koji_hub_url, lookup, 'koji_hub_url');
    if (!('ok' in address)) return address;
    const hub = 'hub' in lookup ? lookup.hub : undefined;
    // mock in the buildroots fetches from there: the hub's plain-HTTP /kojifiles when it has one.
    const topurl = filesUrlFor(address, hub, 'pods');
    const files = buildrootFilesCheck({
      topurl,
      builder,
      hubName: hub && address.namesTheHub ? hub.metadata.name : undefined,
    });
    ctx.condition({ type: 'BuildrootFiles', ...files });
    const rendered = builderManifests({
      hubUrl: address.baseUrl,
      topurl,
      builder,
      referencedHash: referencedHash([
        ...secretRefs(spec).map((n) => refs.secrets.get(n)),
        // mock reads site-defaults.cfg only at start: a change rolls the pods.
        spec.mock_config_cm ? refs.configMaps.get(spec.mock_config_cm) : undefined,
      ]),
      override: spec.configmap
        ? decodeConfigMap(refs.configMaps.get(spec.configmap), overrideKeys.kojid)
        : undefined,
    });
    await applyRendered(ctx, rendered, 'kojid.conf', 'kojid');

    // Hosts are registered before their pods are up: a kojid that logs in to a hub that does
    // not know its host cannot take tasks.
    const side = await syncKojiSide(ctx, this.hub, this.backoff, lookup, async (client) => {
      const result = await syncBuilderHosts(client, builder);
      ctx.patch.status.hosts = result.hosts;
      if (result.warning) ctx.logger.warn(result.warning);
      return result;
    });
    const sts = await ctx.client.find(
      Resources.statefulSet,
      ctx.namespace,
      builderNames(builder).statefulSet,
    );
    const registered = side.state === 'synced' ? side.value.hosts.filter((h) => h.enabled).length : 0;
    const warning = side.state === 'synced' && side.value.warning ? `; ${side.value.warning}` : '';
    const next = reportReadinessWithKoji(ctx, 'kojid hosts', workloadReadiness(sts, 'StatefulSet'), side, {
      synced: `${registered} koji host(s) registered and enabled with the spec's arches and channels${warning}`,
      unmanaged: 'register the builder hosts in koji',
    });
    const volume = await checkSharedVolume(ctx, spec.shared_pvc, 'hub' in lookup ? lookup.hub : undefined);
    if (volume) {
      // The claim's arrival wakes this one (@Watches); the requeue is a safety net.
      ctx.condition({ type: 'Ready', status: 'False', reason: volume.reason, message: volume.message });
      return { requeueAfterSeconds: waitSeconds * 4 };
    }
    if (certificates.state === 'incomplete') {
      // The pods of these replicas cannot start: say so rather than "Progressing".
      ctx.condition({
        type: 'Ready',
        status: 'False',
        reason: certificates.reason,
        message: certificates.message,
      });
      return { requeueAfterSeconds: waitSeconds };
    }
    return next;
  }

  /** Koji keeps hosts forever: a deleted builder's hosts are disabled, so no task goes to them. */
  @OnDelete()
  async retire(ctx: Ctx): Promise<void> {
    const builder = ctx.body as KojiBuilder;
    try {
      const { client } = await this.hub.forNamespace(ctx.client, ctx.namespace ?? '');
      const retired = await retireBuilderHosts(client, builder);
      ctx.logger.info(`disabled koji hosts ${retired.map((h) => h.name).join(', ') || '(none)'}`);
    } catch (error) {
      // No hub (also when the namespace is being deleted): no hosts to disable, and holding
      // the finalizer would block the namespace forever.
      if (error instanceof HubConnectionError && error.reason === 'HubNotFound') {
        ctx.logger.warn(`koji hosts of ${ctx.name} not disabled: ${error.message}`);
        return;
      }
      const problem = hubProblemOf(error);
      if (!problem) throw error;
      throw new TemporaryError(`${problem.reason}: ${problem.message}`, this.backoff.delayFor(ctx.retry));
    }
  }

  @OnSecretChange<KojiBuilder>({ refs: (spec: KojiBuilderSpec) => secretRefs(spec) })
  secretChanged(ctx: Ctx) {
    ctx.logger.info(`referenced Secret changed: ${Object.keys(ctx.new as object).join(', ')}`);
  }

  @OnConfigMapChange<KojiBuilder>({ refs: (spec: KojiBuilderSpec) => configMapRefs(spec) })
  configMapChanged(ctx: Ctx) {
    ctx.logger.info(`referenced ConfigMap changed: ${Object.keys(ctx.new as object).join(', ')}`);
  }
}
