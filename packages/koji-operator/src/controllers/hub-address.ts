// Resolves a dependent's hub field (manifests/hub-address.ts decides) and reports it: the URL
// in status.hubUrl, how it was found in the HubAddress condition, and, when it cannot work,
// Ready=False with the reason (InvalidHubAddress, NoHubAddress) instead of a config that no pod
// could use. A KojiHub appearing or changing wakes the dependents (@Watches), so an empty field
// picks the hub's address up at once.
import type { HandlerContext } from '@fedora-operators/framework';
import { resolveHubAddress, type HubAddress } from '../manifests/index.js';
import type { HubLookup } from './koji-side.js';
import { waitSeconds } from './support.js';

export type ResolvedHubAddress = Extract<HubAddress, { ok: true }>;

export function resolveAndReport(
  ctx: HandlerContext<unknown, unknown>,
  given: string | undefined,
  lookup: HubLookup,
  field: string,
): ResolvedHubAddress | { requeueAfterSeconds: number } {
  const address = resolveHubAddress(given, 'hub' in lookup ? lookup.hub : undefined, field);
  if (!address.ok) {
    ctx.condition({ type: 'HubAddress', status: 'False', reason: address.reason, message: address.message });
    ctx.condition({ type: 'Ready', status: 'False', reason: address.reason, message: address.message });
    ctx.logger.warn(address.message);
    return { requeueAfterSeconds: waitSeconds * 4 };
  }
  ctx.condition({ type: 'HubAddress', status: 'True', reason: address.source, message: address.message });
  if (address.source === 'Rewritten') ctx.logger.warn(address.message);
  ctx.patch.status.hubUrl = `${address.baseUrl}/kojihub`;
  return address;
}
