// Makes sure a KojiHub's claims exist without ever owning or rewriting them (the rules are in
// manifests/hub-claims.ts). How it fails: an API error other than "already exists" is thrown
// to the framework, which retries with backoff; a claim created meanwhile by someone else
// (409) is taken as Existing.
import { isApiError, type HandlerContext, type KubeObject } from '@fedora-operators/framework';
import type { HubClaimStatus, KojiHub } from '../api/index.js';
import { claimAction, hubClaims, Resources } from '../manifests/index.js';

export async function ensureHubClaims(
  ctx: HandlerContext<unknown, unknown>,
  hub: KojiHub,
): Promise<HubClaimStatus[]> {
  const statuses: HubClaimStatus[] = [];
  for (const wanted of hubClaims(hub)) {
    const name = wanted.object.metadata.name ?? '';
    const existing = await ctx.client.find<KubeObject>(Resources.pvc, ctx.namespace, name);
    const decision = claimAction(existing, hub.metadata.uid ?? '');
    let claim = existing;
    let origin: HubClaimStatus['origin'] = 'Existing';
    if (decision.action === 'create') {
      try {
        claim = await ctx.client.create(Resources.pvc, wanted.object);
        origin = 'Created';
        ctx.logger.info(
          `created PersistentVolumeClaim ${name} (${wanted.purpose}); it is not owned by the KojiHub`,
        );
      } catch (error) {
        if (!isApiError(error, 409)) throw error;
        claim = await ctx.client.find<KubeObject>(Resources.pvc, ctx.namespace, name);
      }
    } else if (decision.action === 'release') {
      // Highest index first, so the earlier ones stay where they are.
      const operations = [...decision.ownerIndexes].reverse().flatMap((i) => [
        { op: 'test' as const, path: `/metadata/ownerReferences/${i}/uid`, value: hub.metadata.uid },
        { op: 'remove' as const, path: `/metadata/ownerReferences/${i}` },
      ]);
      claim = await ctx.client.jsonPatch(Resources.pvc, ctx.namespace, name, operations);
      ctx.logger.warn(
        `PersistentVolumeClaim ${name} was owned by this KojiHub (an earlier operator version): released, so deleting the KojiHub keeps it`,
      );
    }
    const previous = reported(ctx.status, wanted.purpose, name);
    if (!previous && origin === 'Existing')
      ctx.logger.info(`using the existing PersistentVolumeClaim ${name} (${wanted.purpose}) as it is`);
    const phase = phaseOf(claim);
    // Created in an earlier run stays Created.
    statuses.push({
      purpose: wanted.purpose,
      name,
      origin: previous?.origin ?? origin,
      ...(phase ? { phase } : {}),
    });
  }
  return statuses;
}

function reported(status: unknown, purpose: string, name: string): HubClaimStatus | undefined {
  const claims = (status as { claims?: HubClaimStatus[] } | undefined)?.claims ?? [];
  return claims.find((c) => c.purpose === purpose && c.name === name);
}

const phaseOf = (claim: KubeObject | undefined): string | undefined =>
  (claim?.status as { phase?: string } | undefined)?.phase;
