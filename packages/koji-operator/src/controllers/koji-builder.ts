// KojiBuilder: kojid.conf, the headless Service and the StatefulSet of koji hosts.
import {
  Controller,
  OnConfigMapChange,
  OnSecretChange,
  Owns,
  Reconcile,
  type HandlerContext,
} from '@fedora-operators/framework';
import { overrideKeys } from '../config/index.js';
import type { KojiBuilder, KojiBuilderSpec, KojiBuilderStatus } from '../api/index.js';
import { builderManifests, builderNames, Resources } from '../manifests/index.js';
import { decodeConfigMap } from './koji-hub.js';
import {
  applyAll,
  kojiGroup,
  readReferences,
  referencedHash,
  reportMissing,
  reportReadiness,
  workloadReadiness,
} from './support.js';

type Ctx = HandlerContext<KojiBuilderSpec, KojiBuilderStatus>;

const secretRefs = (spec: KojiBuilderSpec) => [spec.cacert_secret, spec.client_cert_secret];
const configMapRefs = (spec: KojiBuilderSpec) => [spec.configmap];

@Controller({ ...kojiGroup, kind: 'KojiBuilder', plural: 'kojibuilders' })
@Owns({ apiVersion: 'apps/v1', kind: 'StatefulSet' })
@Owns({ apiVersion: 'v1', kind: 'Service' })
@Owns({ apiVersion: 'v1', kind: 'ConfigMap' })
export class KojiBuilderController {
  @Reconcile()
  async reconcile(ctx: Ctx) {
    const builder = ctx.body as KojiBuilder;
    const spec = ctx.spec;
    const refs = await readReferences(ctx, { secrets: secretRefs(spec), configMaps: configMapRefs(spec) });
    const missing = reportMissing(ctx, refs);
    if (missing) return missing;
    const { children, dropped } = builderManifests({
      builder,
      referencedHash: referencedHash(secretRefs(spec).map((n) => refs.secrets.get(n))),
      override: spec.configmap
        ? decodeConfigMap(refs.configMaps.get(spec.configmap), overrideKeys.kojid)
        : undefined,
    });
    if (dropped.length)
      ctx.logger.warn(`kojid.conf options kojid does not read were dropped: ${dropped.join(', ')}`);
    await applyAll(ctx, children);
    const sts = await ctx.client.find(
      Resources.statefulSet,
      ctx.namespace,
      builderNames(builder).statefulSet,
    );
    return reportReadiness(ctx, 'kojid hosts', workloadReadiness(sts, 'StatefulSet'));
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
