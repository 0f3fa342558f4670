// KojiHub: renders the hub's children (manifests/koji-hub.ts) and server-side applies them on
// every change, every resync and whenever a child or a referenced Secret/ConfigMap changes.
// When ca_cert_secret holds the CA's key, a missing service certificate (for the Service's
// names and `host`) and a missing admin certificate are issued from it.
import {
  Controller,
  RbacRule,
  isApiError,
  OnConfigMapChange,
  OnSecretChange,
  Owns,
  Reconcile,
  Watches,
  type HandlerContext,
  type KubeObject,
} from '@fedora-operators/framework';
import { overrideKeys, subjectDn } from '../config/index.js';
import {
  kojiHubDefinition,
  type KojiHub,
  type KojiHubSpec,
  type KojiHubStatus,
  type KojiWeb,
} from '../api/index.js';
import {
  adminCertSecretName,
  hubClaimNames,
  hubManifests,
  hubNames,
  hubUrls,
  Resources,
  webUrl,
} from '../manifests/index.js';
import { ensureHubClaims } from './hub-claims.js';
import { defaultImages, jobState, planSchema, schemaJobName, type SchemaPlan } from '../manifests/index.js';
import {
  FailureBackoff,
  HubClientFactory,
  hubProblemOf,
  type FailureBackoffOptions,
  type HubProblem,
} from '../hub-connection/index.js';
import { ActionNotAllowed } from '../koji/index.js';
import { hubHostNames } from '../manifests/hub-address.js';
import { issueMissingCertificates } from './certificates.js';
import { activeKojira } from './kojira.js';
import {
  certificateOf,
  commonName,
  deleteOwned,
  everyOneInTheNamespace,
  kojiApiVersion,
  readReferences,
  referencedHash,
  reportMissing,
  reportReadiness,
  waitSeconds,
  warnDropped,
  workloadReadiness,
  issuesCertificates,
  kojiKind,
  routeCustomHost,
} from './support.js';

type Ctx = HandlerContext<KojiHubSpec, KojiHubStatus>;

/** Every Secret a KojiHub's pods or schema Job read. */
export const hubSecretRefs = (spec: KojiHubSpec, hub: KojiHub) => [
  spec.ca_cert_secret,
  spec.service_cert_secret,
  spec.postgres_secret,
  adminCertSecretName(hub),
  spec.messaging_cert_secret,
];
/**
 * The names koji-hub's server certificate must carry: its Service's and the `koji-hub` alias's
 * (short and qualified, as pods and the operator use them), localhost for the admin sidecar,
 * and `host` when exposed.
 */
export function hubServiceDnsNames(hub: KojiHub): string[] {
  return [...hubHostNames(hub), 'localhost', ...(hub.spec?.host ? [hub.spec.host] : [])];
}

/** The CN of an admin certificate the operator issues itself; the schema Job makes it admin. */
export const issuedAdminUser = 'kojiadmin';

export const hubConfigMapRefs = (spec: KojiHubSpec) => [spec.configmap, spec.messaging_cert_cm];

@Controller(kojiKind(kojiHubDefinition))
@RbacRule(issuesCertificates)
@RbacRule(routeCustomHost)
// Claims are created once and released from an old owner reference, never owned (hub-claims.ts).
@RbacRule({ apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['create', 'patch'] })
@Owns({ apiVersion: 'apps/v1', kind: 'Deployment' })
@Owns({ apiVersion: 'v1', kind: 'Service' })
@Owns({ apiVersion: 'v1', kind: 'ConfigMap' })
// Claims are used, never owned (hub-claims.ts); their phase is reported in status.claims.
@Watches({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  map: (claim, hubs) =>
    (hubs as KojiHub[]).filter((h) => Object.values(hubClaimNames(h)).includes(claim.metadata.name ?? '')),
})
@Owns({ apiVersion: 'batch/v1', kind: 'Job' })
@Owns({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' })
@Owns({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' })
// Only OpenShift serves Routes; elsewhere they are simply not watched.
@Owns({ apiVersion: 'route.openshift.io/v1', kind: 'Route', optional: true })
// hub.conf lists every KojiWeb's DN in ProxyDNs and takes the active Kojira's repo limits.
@Watches({ apiVersion: kojiApiVersion, kind: 'KojiWeb', map: everyOneInTheNamespace })
@Watches({ apiVersion: kojiApiVersion, kind: 'Kojira', map: everyOneInTheNamespace })
export class KojiHubController {
  readonly #backoff: FailureBackoff;

  constructor(
    private readonly hub: HubClientFactory = new HubClientFactory(),
    options: { retry?: FailureBackoffOptions } = {},
  ) {
    this.#backoff = new FailureBackoff(options.retry);
  }

  @Reconcile()
  async reconcile(ctx: Ctx) {
    const hub = ctx.body as KojiHub;
    const spec = ctx.spec;
    const names = hubNames(hub);
    // The sidecar cannot start without the admin's certificate; without a sidecar it only
    // names the first Koji admin (in the schema Job), so it may be absent.
    const required = [spec.ca_cert_secret, spec.service_cert_secret, spec.postgres_secret];
    const notIssued = await issueMissingCertificates(ctx, spec.ca_cert_secret, [
      {
        secretName: spec.service_cert_secret,
        commonName: hubNames(hub).service,
        purpose: 'server',
        dnsNames: hubServiceDnsNames(hub),
      },
      // Without a sidecar, no admin certificate is needed by the hub; the operator's own
      // login still is, so it is issued either way.
      { secretName: names.adminSecret, commonName: issuedAdminUser },
    ]);
    const refs = await readReferences(ctx, {
      secrets: [...(spec.sidecar ? [...required, names.adminSecret] : required), spec.messaging_cert_secret],
      configMaps: hubConfigMapRefs(spec),
      optionalSecrets: spec.sidecar ? [] : [names.adminSecret],
    });
    const missing = reportMissing(ctx, refs, notIssued);
    if (missing) return missing;

    const admin = refs.secrets.get(names.adminSecret);
    const schema = await this.schemaPlan(ctx, hub);
    if (schema.record) ctx.patch.status.schema = schema.record;
    const { children, dropped } = hubManifests({
      hub,
      schema: { servingImage: schema.servingImage, job: schema.job },
      referencedHash: referencedHash([
        refs.secrets.get(spec.ca_cert_secret),
        refs.secrets.get(spec.service_cert_secret),
        refs.secrets.get(spec.postgres_secret),
        spec.messaging_cert_cm ? refs.configMaps.get(spec.messaging_cert_cm) : undefined,
        spec.messaging_cert_secret ? refs.secrets.get(spec.messaging_cert_secret) : undefined,
        spec.sidecar ? admin : undefined,
      ]),
      override: spec.configmap
        ? decodeConfigMap(refs.configMaps.get(spec.configmap), overrideKeys.hub)
        : undefined,
      configMapKeys: Object.keys(
        (refs.configMaps.get(spec.configmap ?? '')?.data as Record<string, string> | undefined) ?? {},
      ),
      proxyDNs: await this.kojiwebDNs(ctx),
      webUrl: await this.kojiwebUrl(ctx),
      kojira: (await activeKojira(ctx.client, ctx.namespace))?.spec,
      adminUser: commonName(certificateOf(admin)),
    });
    warnDropped(ctx, 'hub.conf', 'koji-hub', dropped);

    // Before the Deployment, so its pods find them. Claims are never deleted, also when
    // `persistent` turns false: they hold the builds.
    ctx.patch.status.claims = await ensureHubClaims(ctx, hub);
    const alias = await this.aliasServiceTaken(ctx, hub);
    if (alias) {
      ctx.condition({ type: 'AliasService', status: 'False', reason: 'ServiceNameTaken', message: alias });
      ctx.logger.warn(alias);
    } else if (names.aliasService) {
      ctx.condition({
        type: 'AliasService',
        status: 'True',
        reason: 'Serving',
        message: `the hub also answers as Service ${names.aliasService}, the name the proposal's Kojira, KojiBuilder and KojiWeb use`,
      });
    }
    for (const c of children) {
      if (alias && c.resource === Resources.service && c.object.metadata.name === names.aliasService)
        continue;
      try {
        await ctx.apply(c.resource, c.object);
      } catch (error) {
        // A Job's template is immutable: replace the schema Job when it changes (it is idempotent).
        if (c.resource === Resources.job && isApiError(error, 422)) {
          await ctx.client.delete(Resources.job, ctx.namespace, c.object.metadata.name ?? '', {
            propagationPolicy: 'Background',
          });
          return { requeueAfterSeconds: 2 };
        }
        throw error;
      }
    }
    // What the spec no longer asks for: the other exposure kind, or any when `host` is unset.
    const backend = spec.ingress_backend ?? 'nginx';
    if (!spec.host || backend !== 'nginx') await deleteOwned(ctx, Resources.ingress, names.exposure);
    if (!spec.host || backend !== 'openshift') await deleteOwned(ctx, Resources.route, names.exposure);
    if ((spec.replicas ?? 1) <= 1) await deleteOwned(ctx, Resources.podDisruptionBudget, names.deployment);

    const urls = hubUrls(hub);
    ctx.patch.status.hubUrl = urls.hubUrl;
    if (urls.externalUrl) ctx.patch.status.externalUrl = urls.externalUrl;
    else if (ctx.status?.externalUrl) ctx.patch.status.externalUrl = null;
    const deployment = await ctx.client.find(Resources.deployment, ctx.namespace, names.deployment);
    const rollout = reportReadiness(
      ctx,
      `koji-hub ${urls.hubUrl}`,
      workloadReadiness(deployment, 'Deployment'),
    );
    // Ready needs, beyond the pods: the schema in place, and the operator's admin login.
    if (!schema.ready) {
      ctx.condition({ type: 'Ready', status: 'False', reason: schema.reason, message: schema.message });
      return { requeueAfterSeconds: waitSeconds * 2 };
    }
    if (rollout) return rollout;
    const login = await this.checkAdminLogin(ctx, hub);
    if (login) {
      ctx.condition({
        type: 'Ready',
        status: 'False',
        reason: login.problem.reason,
        message: login.problem.message,
      });
      return { requeueAfterSeconds: login.retryAfterSeconds };
    }
    return undefined;
  }

  /** The schema step for the spec's image, given what status.schema recorded and its Job. */
  private async schemaPlan(ctx: Ctx, hub: KojiHub): Promise<SchemaPlan> {
    const input = { image: ctx.spec.image ?? defaultImages.hub, recorded: ctx.status?.schema };
    const first = planSchema({ ...input, job: 'absent' });
    if (!first.job) return first;
    const job = await ctx.client.find(
      Resources.job,
      ctx.namespace,
      schemaJobName(hub.metadata.name ?? '', first.job),
    );
    // A Job of this name for another image is the previous try: it is replaced, not judged.
    const image = (job?.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined)
      ?.template?.spec?.containers?.[0]?.image;
    return planSchema({ ...input, job: image === first.job.image ? jobState(job) : 'absent' });
  }

  /**
   * Whether the operator can log in to the hub as its admin identity with the admin permission;
   * undefined when it can. Retried with backoff while it cannot.
   */
  private async checkAdminLogin(
    ctx: Ctx,
    hub: KojiHub,
  ): Promise<{ problem: HubProblem; retryAfterSeconds: number } | undefined> {
    const key = `${ctx.namespace}/${ctx.name}`;
    try {
      const { client, adminUser } = await this.hub.forHub(ctx.client, hub);
      if (!(await client.hasPerm('admin'))) {
        throw new ActionNotAllowed(
          1004,
          `the operator logs in as ${adminUser ?? 'its admin certificate CN'}, which has no admin permission`,
        );
      }
      this.#backoff.succeeded(key);
      return undefined;
    } catch (error) {
      const found = hubProblemOf(error);
      if (!found) throw error;
      const problem =
        found.reason === 'KojiPermissionDenied' ? { ...found, reason: 'HubLoginFailed' } : found;
      const retryAfterSeconds = this.#backoff.failed(key);
      return {
        problem: { ...problem, message: `${problem.message} (retrying in ${Math.ceil(retryAfterSeconds)}s)` },
        retryAfterSeconds,
      };
    }
  }

  /** Why the `koji-hub` alias Service is not this hub's to apply (someone else's), or undefined. */
  private async aliasServiceTaken(ctx: Ctx, hub: KojiHub): Promise<string | undefined> {
    const alias = hubNames(hub).aliasService;
    if (!alias) return undefined;
    const existing = await ctx.client.find(Resources.service, ctx.namespace, alias);
    if (!existing || existing.metadata.ownerReferences?.some((o) => o.uid === ctx.meta.uid)) return undefined;
    return `Service ${alias} exists and is not this KojiHub's, so it is left alone: CRs that name the hub ${alias} reach that Service, not ${hub.metadata.name}`;
  }

  /** kojiweb proxies users' logins: the hub must list its certificate's DN in ProxyDNs. */
  /** Where users find kojiweb (the oldest KojiWeb's URL): hub.conf's KojiWebURL, for links in mails. */
  private async kojiwebUrl(ctx: Ctx): Promise<string | undefined> {
    const webs = await ctx.client.list<KojiWeb>(Resources.kojiWeb, ctx.namespace);
    const [first] = webs.items
      .filter((w) => !w.metadata.deletionTimestamp)
      .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
    return first ? webUrl(first) : undefined;
  }

  private async kojiwebDNs(ctx: Ctx): Promise<string[]> {
    const webs = await ctx.client.list<KojiWeb>(Resources.kojiWeb, ctx.namespace);
    const dns: string[] = [];
    for (const web of webs.items) {
      const secretName = web.spec?.client_cert_secret;
      if (!secretName) continue;
      const secret = await ctx.client.find(Resources.secret, ctx.namespace, secretName);
      const pem = certificateOf(secret)?.toString();
      if (pem) dns.push(subjectDn(pem));
    }
    return [...new Set(dns)].sort();
  }

  // The pods read these; the hash in the pod template rolls them, and @Reconcile (which runs
  // after every related change) re-renders. Nothing else to do here.
  @OnSecretChange<KojiHub>({ refs: (spec: KojiHubSpec, body) => hubSecretRefs(spec, body) })
  secretChanged(ctx: Ctx) {
    ctx.logger.info(`referenced Secret changed: ${Object.keys(ctx.new as object).join(', ')}`);
  }

  @OnConfigMapChange<KojiHub>({ refs: (spec: KojiHubSpec) => hubConfigMapRefs(spec) })
  configMapChanged(ctx: Ctx) {
    ctx.logger.info(`referenced ConfigMap changed: ${Object.keys(ctx.new as object).join(', ')}`);
  }
}

export function decodeConfigMap(cm: KubeObject | undefined, key: string): string | undefined {
  return (cm?.data as Record<string, string> | undefined)?.[key];
}
