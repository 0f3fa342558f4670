// KojiWeb: kojiweb's ConfigMap, session Secret, Deployment, Service and Ingress/Route; on the
// koji side its user (client_username) exists and is enabled (the hub lists its certificate's
// DN in ProxyDNs: koji-hub.ts). Its certificate is issued from the hub's client CA when missing.
import { randomBytes } from 'node:crypto';
import {
  Controller,
  RbacRule,
  OnSecretChange,
  Owns,
  Reconcile,
  Watches,
  type HandlerContext,
} from '@fedora-operators/framework';
import { ensureServiceUser, kojiWebUser } from '../koji-sync/index.js';
import { issueMissingCertificates } from './certificates.js';
import { KojiSideController, lookUpHub, reportReadinessWithKoji, syncKojiSide } from './koji-side.js';
import { kojiWebDefinition, type KojiWeb, type KojiWebSpec, type KojiWebStatus } from '../api/index.js';
import { filesUrlFor, Resources, webManifests, webNames, webUrl } from '../manifests/index.js';
import { resolveAndReport } from './hub-address.js';
import {
  applyRendered,
  decode,
  deleteOwned,
  everyOneInTheNamespace,
  kojiApiVersion,
  readReferences,
  referencedHash,
  reportMissing,
  workloadReadiness,
  issuesCertificates,
  kojiKind,
  routeCustomHost,
} from './support.js';

type Ctx = HandlerContext<KojiWebSpec, KojiWebStatus>;

const secretRefs = (spec: KojiWebSpec) => [
  spec.client_cert_secret,
  spec.cacert_secret,
  spec.service_cert_secret,
];

@Controller(kojiKind(kojiWebDefinition))
@RbacRule(issuesCertificates)
@RbacRule(routeCustomHost)
@Owns({ apiVersion: 'apps/v1', kind: 'Deployment' })
@Owns({ apiVersion: 'v1', kind: 'Service' })
@Owns({ apiVersion: 'v1', kind: 'ConfigMap' })
@Owns({ apiVersion: 'v1', kind: 'Secret' })
@Owns({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' })
@Owns({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' })
@Owns({ apiVersion: 'route.openshift.io/v1', kind: 'Route', optional: true })
// A KojiHub that appears (or changes its CA or admin certificate) is what the koji side needs.
@Watches({ apiVersion: kojiApiVersion, kind: 'KojiHub', map: everyOneInTheNamespace })
export class KojiWebController extends KojiSideController {
  @Reconcile()
  async reconcile(ctx: Ctx) {
    const web = ctx.body as KojiWeb;
    const spec = ctx.spec;
    const names = webNames(web);
    const user = kojiWebUser(web);
    const lookup = await lookUpHub(ctx, this.hub);
    const notIssued = await issueMissingCertificates(
      ctx,
      'hub' in lookup ? lookup.hub.spec?.ca_cert_secret : undefined,
      [{ secretName: spec.client_cert_secret, commonName: user.name }],
    );
    const refs = await readReferences(ctx, { secrets: secretRefs(spec) });
    const missing = reportMissing(ctx, refs, notIssued);
    if (missing) return missing;
    // kojiweb signs session cookies with `Secret`: made once, then kept, or every
    // reconcile would log everyone out.
    const existing = await ctx.client.find(Resources.secret, ctx.namespace, names.session);
    const kept = /^Secret = (.+)$/m.exec(decode(existing, 'secret.conf') ?? '')?.[1];
    const address = resolveAndReport(ctx, spec.hub_host, lookup, 'hub_host');
    if (!('ok' in address)) return address;
    const rendered = webManifests({
      hubUrl: address.baseUrl,
      filesUrl: filesUrlFor(address, 'hub' in lookup ? lookup.hub : undefined, 'browsers'),
      web,
      referencedHash: referencedHash(secretRefs(spec).map((n) => (n ? refs.secrets.get(n) : undefined))),
      sessionSecret: kept ?? randomBytes(32).toString('hex'),
    });
    await applyRendered(ctx, rendered, 'web.conf', 'kojiweb');
    if ((spec.replicas ?? 1) <= 1) await deleteOwned(ctx, Resources.podDisruptionBudget, names.deployment);
    const backend = spec.ingress_backend ?? 'nginx';
    if (!spec.host || backend !== 'nginx') await deleteOwned(ctx, Resources.ingress, names.exposure);
    if (!spec.host || backend !== 'openshift') await deleteOwned(ctx, Resources.route, names.exposure);
    ctx.patch.status.webUrl = webUrl(web);
    const side = await syncKojiSide(ctx, this.hub, this.backoff, lookup, (client) =>
      ensureServiceUser(client, user),
    );
    const deployment = await ctx.client.find(Resources.deployment, ctx.namespace, names.deployment);
    return reportReadinessWithKoji(ctx, 'kojiweb', workloadReadiness(deployment, 'Deployment'), side, {
      synced: `koji user ${user.name} is enabled`,
      unmanaged: `make kojiweb's koji user ${user.name}`,
    });
  }

  @OnSecretChange<KojiWeb>({ refs: (spec: KojiWebSpec) => secretRefs(spec) })
  secretChanged(ctx: Ctx) {
    ctx.logger.info(`referenced Secret changed: ${Object.keys(ctx.new as object).join(', ')}`);
  }
}
