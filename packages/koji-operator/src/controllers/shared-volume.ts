// Kojira and the builders mount the hub's /mnt/koji by name (`shared_pvc`). Whether that can
// work is judged here, so a pod that would stay Pending (no such claim) or that would write
// where the hub never reads (the hub keeps /mnt/koji in an emptyDir, or in another claim) is
// reported as Ready=False with a reason that says so, not as "Progressing".
import type { HandlerContext, KubeObject } from '@fedora-operators/framework';
import type { KojiHub } from '../api/index.js';
import { hubClaimNames, hubIsPersistent, Resources } from '../manifests/index.js';

export interface SharedVolumeProblem {
  reason: 'SharedVolumeMissing' | 'SharedVolumeMismatch';
  message: string;
}

/** Why `sharedPvc` cannot be the namespace's /mnt/koji, or undefined when it can. */
export function sharedVolumeProblem(
  sharedPvc: string,
  claim: KubeObject | undefined,
  hub: KojiHub | undefined,
  namespace: string,
): SharedVolumeProblem | undefined {
  const hubName = hub?.metadata.name;
  if (hub && !hubIsPersistent(hub)) {
    return {
      reason: 'SharedVolumeMissing',
      message: `KojiHub ${hubName} is not persistent: its /mnt/koji is an emptyDir inside its own pod, which no other pod can mount; set persistent: true on it (its claim is ${hubClaimNames(hub).mnt})`,
    };
  }
  if (!claim) {
    return {
      reason: 'SharedVolumeMissing',
      message: `PersistentVolumeClaim ${sharedPvc} (shared_pvc) not found in namespace ${namespace}; ${
        hub
          ? `KojiHub ${hubName}'s /mnt/koji claim is ${hubClaimNames(hub).mnt}: name that one`
          : 'a persistent KojiHub creates it (mnt_pvc_name), or create it yourself (ReadWriteMany)'
      }`,
    };
  }
  if (hub && hubClaimNames(hub).mnt !== sharedPvc) {
    return {
      reason: 'SharedVolumeMismatch',
      message: `shared_pvc ${sharedPvc} is not KojiHub ${hubName}'s /mnt/koji (${hubClaimNames(hub).mnt}): what this pod writes the hub would never serve`,
    };
  }
  return undefined;
}

/** Reads the claim and judges it against the namespace's hub (when there is one). */
export async function checkSharedVolume(
  ctx: HandlerContext<unknown, unknown>,
  sharedPvc: string,
  hub: KojiHub | undefined,
): Promise<SharedVolumeProblem | undefined> {
  const claim = await ctx.client.find<KubeObject>(Resources.pvc, ctx.namespace, sharedPvc);
  return sharedVolumeProblem(sharedPvc, claim, hub, ctx.namespace ?? '');
}

/** A @Watches map: a claim wakes the objects that name it in shared_pvc. */
export const namingTheClaim = (claim: KubeObject, ours: readonly KubeObject[]): readonly KubeObject[] =>
  ours.filter((o) => (o.spec as { shared_pvc?: string } | undefined)?.shared_pvc === claim.metadata.name);
