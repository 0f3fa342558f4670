// What every Koji workload controller does: read the Secrets and ConfigMaps a CR names,
// report the missing ones, apply the rendered children, and judge readiness.
import { X509Certificate } from 'node:crypto';
import {
  CoreResources,
  isApiError,
  type ControllerOptions,
  type HandlerContext,
  type KubeObject,
  type PolicyRule,
  type ResourceRef,
} from '@fedora-operators/framework';
import type { KindDefinition } from '../api/index.js';
import { contentHash, hashInputOf, type Child } from '../manifests/index.js';

/** The API group and version of every Koji kind. */
export const kojiGroup = { group: 'koji.fedoraproject.org', version: 'v1alpha1' } as const;
export const kojiApiVersion = `${kojiGroup.group}/${kojiGroup.version}`;

/** @Controller options of a Koji kind: its CRD (generated from them) is in the `koji` category. */
export function kojiKind(def: KindDefinition): ControllerOptions {
  return { ...kojiGroup, kind: def.kind, plural: def.plural, crd: { ...def, categories: ['koji'] } };
}

/** Missing client and service certificates are issued into Secrets (controllers/certificates.ts). */
export const issuesCertificates: PolicyRule = {
  apiGroups: [''],
  resources: ['secrets'],
  verbs: ['get', 'create', 'patch'],
};

/** A Route with spec.host set needs the custom-host subresource on OpenShift. */
export const routeCustomHost: PolicyRule = {
  apiGroups: ['route.openshift.io'],
  resources: ['routes/custom-host'],
  verbs: ['create', 'update', 'patch'],
};

/**
 * A @Watches map for kinds that feed every object of the namespace (a KojiHub for the objects
 * that talk to it, the KojiWebs and Kojira the hub renders from): `ours` is already the
 * namespace's.
 */
export const everyOneInTheNamespace = <T>(_changed: unknown, ours: readonly T[]): readonly T[] => ours;

/** How often a CR waiting on a missing Secret/ConfigMap or on its pods is looked at again. */
export const waitSeconds = 15;

export interface References {
  secrets: Map<string, KubeObject>;
  configMaps: Map<string, KubeObject>;
  missing: { kind: 'Secret' | 'ConfigMap'; name: string }[];
}

const present = (names: readonly (string | undefined | null)[]) => [
  ...new Set(names.filter((n): n is string => typeof n === 'string' && n !== '')),
];

/** Reads the named Secrets and ConfigMaps of the CR's namespace; `optional` ones may be absent. */
export async function readReferences(
  ctx: HandlerContext<unknown, unknown>,
  refs: {
    secrets: readonly (string | undefined)[];
    configMaps?: readonly (string | undefined)[];
    optionalSecrets?: readonly (string | undefined)[];
  },
): Promise<References> {
  const result: References = { secrets: new Map(), configMaps: new Map(), missing: [] };
  const read = async (
    resource: ResourceRef,
    kind: 'Secret' | 'ConfigMap',
    names: string[],
    into: Map<string, KubeObject>,
    required: boolean,
  ) => {
    for (const name of names) {
      const found = await ctx.client.find<KubeObject>(resource, ctx.namespace, name);
      if (found) into.set(name, { ...found, kind });
      else if (required) result.missing.push({ kind, name });
    }
  };
  await read(CoreResources.secret, 'Secret', present(refs.secrets), result.secrets, true);
  await read(CoreResources.configMap, 'ConfigMap', present(refs.configMaps ?? []), result.configMaps, true);
  await read(CoreResources.secret, 'Secret', present(refs.optionalSecrets ?? []), result.secrets, false);
  return result;
}

/**
 * Reports missing references as Ready=False (reason MissingSecret or MissingConfigMap, naming
 * them) and asks to be run again; the handler returns this instead of throwing so that the
 * reason stays what it is (a thrown error's condition would say HandlerRetrying).
 */
export function reportMissing(
  ctx: HandlerContext<unknown, unknown>,
  refs: References,
  /** Why the operator could not make them itself (certs it may issue), appended to the message. */
  notIssued: readonly string[] = [],
): { requeueAfterSeconds: number } | undefined {
  if (refs.missing.length === 0) return undefined;
  const secrets = refs.missing.filter((m) => m.kind === 'Secret').map((m) => m.name);
  const configMaps = refs.missing.filter((m) => m.kind === 'ConfigMap').map((m) => m.name);
  const parts = [...secrets.map((n) => `Secret ${n}`), ...configMaps.map((n) => `ConfigMap ${n}`)];
  ctx.condition({
    type: 'Ready',
    status: 'False',
    reason: secrets.length ? 'MissingSecret' : 'MissingConfigMap',
    message: `${parts.join(', ')} not found in namespace ${ctx.namespace}; the workload starts once ${
      parts.length > 1 ? 'they exist' : 'it exists'
    }${notIssued.length ? ` (not issued by the operator: ${notIssued.join('; ')})` : ''}`,
  });
  ctx.logger.warn(`waiting for ${parts.join(', ')}`);
  return { requeueAfterSeconds: waitSeconds };
}

/** Hash of what the pods read from the given Secrets and ConfigMaps. */
export function referencedHash(objects: readonly (KubeObject | undefined)[]): string {
  return contentHash(objects.filter((o): o is KubeObject => o !== undefined).map(hashInputOf));
}

export function decode(secret: KubeObject | undefined, key: string): string | undefined {
  const value = (secret?.data as Record<string, string> | undefined)?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

/** The certificate of a client Secret (tls.crt, else the certificate in client.pem), or undefined. */
export function certificateOf(secret: KubeObject | undefined): X509Certificate | undefined {
  for (const key of ['tls.crt', 'client.pem']) {
    const pem = decode(secret, key);
    if (!pem) continue;
    const block = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
    if (!block) continue;
    try {
      return new X509Certificate(block);
    } catch {
      // Not a certificate: the next key, or none.
    }
  }
  return undefined;
}

export function commonName(cert: X509Certificate | undefined): string | undefined {
  return cert?.subject
    .split('\n')
    .find((line) => line.startsWith('CN='))
    ?.slice(3);
}

/** Says which options of a user's config file the component would not read (they are dropped). */
export function warnDropped(
  ctx: HandlerContext<unknown, unknown>,
  file: string,
  program: string,
  dropped: readonly string[],
): void {
  if (dropped.length)
    ctx.logger.warn(`${file} options ${program} does not read were dropped: ${dropped.join(', ')}`);
}

/** Applies what a manifests function rendered, after warning about dropped options. */
export async function applyRendered(
  ctx: HandlerContext<unknown, unknown>,
  { children, dropped }: { children: readonly Child[]; dropped: readonly string[] },
  file: string,
  program: string,
): Promise<KubeObject[]> {
  warnDropped(ctx, file, program, dropped);
  return applyAll(ctx, children);
}

/** Server-side applies each child, owned by the CR. */
export async function applyAll(
  ctx: HandlerContext<unknown, unknown>,
  children: readonly Child[],
): Promise<KubeObject[]> {
  const applied: KubeObject[] = [];
  for (const c of children) applied.push(await ctx.apply(c.resource, c.object));
  return applied;
}

/** Deletes a child this CR owns, if it exists (e.g. the Ingress after a switch to a Route). */
export async function deleteOwned(
  ctx: HandlerContext<unknown, unknown>,
  resource: ResourceRef,
  name: string,
): Promise<void> {
  let found: KubeObject | undefined;
  try {
    found = await ctx.client.find<KubeObject>(resource, ctx.namespace, name);
  } catch (error) {
    // The kind is not served here (no Route CRD outside OpenShift): nothing to delete.
    if (isApiError(error, 404)) return;
    throw error;
  }
  if (found?.metadata.ownerReferences?.some((o) => o.uid === ctx.meta.uid)) {
    await ctx.client.delete(resource, ctx.namespace, name, { propagationPolicy: 'Background' });
  }
}

interface WorkloadStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  updatedReplicas?: number;
}

/**
 * Whether a Deployment (available pods) or StatefulSet (ready pods) has rolled out its current
 * template to every replica; and how many are ready.
 */
export function workloadReadiness(
  workload: KubeObject | undefined,
  kind: 'Deployment' | 'StatefulSet',
): { ready: boolean; readyReplicas: number; desired: number } {
  const desired = (workload?.spec as { replicas?: number } | undefined)?.replicas ?? 1;
  const status = (workload?.status ?? {}) as WorkloadStatus;
  const readyReplicas = (kind === 'Deployment' ? status.availableReplicas : status.readyReplicas) ?? 0;
  const current =
    workload !== undefined && (status.observedGeneration ?? 0) >= (workload.metadata.generation ?? 0);
  const ready =
    current &&
    readyReplicas >= desired &&
    (status.updatedReplicas ?? 0) >= desired &&
    (status.replicas ?? 0) <= desired;
  return { ready, readyReplicas, desired };
}

/** Sets Ready from the workload's rollout and returns a requeue while it is not ready yet. */
export function reportReadiness(
  ctx: HandlerContext<unknown, unknown>,
  what: string,
  readiness: { ready: boolean; readyReplicas: number; desired: number },
): { requeueAfterSeconds: number } | undefined {
  ctx.patch.status.readyReplicas = readiness.readyReplicas;
  if (readiness.ready) {
    ctx.condition({
      type: 'Ready',
      status: 'True',
      reason: 'Available',
      message: `${what}: ${readiness.readyReplicas}/${readiness.desired} pods ready`,
    });
    return undefined;
  }
  ctx.condition({
    type: 'Ready',
    status: 'False',
    reason: 'Progressing',
    message: `${what}: ${readiness.readyReplicas}/${readiness.desired} pods ready`,
  });
  // Owned workloads wake this controller when their status moves; this is a safety net.
  return { requeueAfterSeconds: waitSeconds * 2 };
}
