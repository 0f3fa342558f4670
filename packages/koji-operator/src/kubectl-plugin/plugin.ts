// `kubectl koji`: finds the KojiHub, a Ready hub pod with the admin sidecar, and runs
// `koji <args...>` in its koji-admin container as the Koji admin. Returns the exit code.
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { parseArgs, USAGE, type PluginOptions } from './args.js';
import { execInContainer, type ExecIO } from './exec.js';
import {
  ADMIN_CONTAINER,
  apiFailureMessage,
  crdMissingMessage,
  errorText,
  ExitCode,
  forbiddenMessage,
  httpStatusOf,
  HUB_GROUP,
  HUB_PLURAL,
  HUB_VERSION,
  hubNotFoundMessage,
  PluginError,
  usageError,
} from './messages.js';
import {
  hubPodSelector,
  requireSidecar,
  selectHub,
  selectPod,
  type HubObject,
  type PodObject,
} from './select.js';

/** Reads the kubeconfig the way kubectl does: --kubeconfig, else $KUBECONFIG, else ~/.kube/config. */
export function loadKubeConfig(options: PluginOptions): { kc: KubeConfig; namespace: string } {
  const kc = new KubeConfig();
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (error) {
    throw usageError(
      `cannot read the kubeconfig${options.kubeconfig ? ` ${options.kubeconfig}` : ''}: ${errorText(error)}`,
    );
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw usageError(
        `context "${options.context}" is not in the kubeconfig${known.length ? ` (its contexts: ${known.join(', ')})` : ''}`,
      );
    }
    kc.setCurrentContext(options.context);
  }
  const namespace = options.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default';
  return { kc, namespace };
}

async function findHub(kc: KubeConfig, namespace: string, requested?: string): Promise<HubObject> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const ref = { group: HUB_GROUP, version: HUB_VERSION, namespace, plural: HUB_PLURAL };
  if (requested !== undefined) {
    try {
      return (await api.getNamespacedCustomObject({ ...ref, name: requested })) as HubObject;
    } catch (error) {
      const code = httpStatusOf(error);
      if (code === 403) throw forbiddenMessage('get-hub', namespace, errorText(error));
      if (code !== 404)
        throw apiFailureMessage(`read KojiHub "${requested}" in namespace "${namespace}"`, error);
      // Not found (or no such kind): list, for a message that says what is there.
    }
  }
  let hubs: HubObject[];
  try {
    const list = (await api.listNamespacedCustomObject(ref)) as { items?: HubObject[] };
    hubs = (list.items ?? []).filter((h) => !h.metadata?.deletionTimestamp);
  } catch (error) {
    const code = httpStatusOf(error);
    if (code === 403) throw forbiddenMessage('list-hubs', namespace, errorText(error));
    if (code === 404) throw crdMissingMessage();
    throw apiFailureMessage(`list the KojiHubs in namespace "${namespace}"`, error);
  }
  if (requested !== undefined) {
    throw hubNotFoundMessage(
      requested,
      namespace,
      hubs.map((h) => h.metadata?.name ?? ''),
    );
  }
  return selectHub(hubs, namespace);
}

async function findPod(kc: KubeConfig, namespace: string, hub: string): Promise<string> {
  const api = kc.makeApiClient(CoreV1Api);
  let pods: PodObject[];
  try {
    pods = (await api.listNamespacedPod({ namespace, labelSelector: hubPodSelector(hub) }))
      .items as PodObject[];
  } catch (error) {
    if (httpStatusOf(error) === 403) throw forbiddenMessage('list-pods', namespace, errorText(error));
    throw apiFailureMessage(`list the pods of KojiHub "${hub}" in namespace "${namespace}"`, error);
  }
  return selectPod(pods, hub, namespace);
}

/** Runs the plugin with these arguments (those after `kubectl koji`); resolves with the exit code. */
export async function runPlugin(argv: readonly string[], io: ExecIO): Promise<number> {
  const parsed = parseArgs(argv);
  if (parsed.kind === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  try {
    if (parsed.kind === 'usage-error')
      throw usageError(`${parsed.message}\nSee 'kubectl koji --help' for usage.`);
    const { kc, namespace } = loadKubeConfig(parsed.options);
    const hub = await findHub(kc, namespace, parsed.options.hub);
    const hubName = hub.metadata?.name ?? '';
    requireSidecar(hub, namespace);
    const pod = await findPod(kc, namespace, hubName);
    let result: { code: number; message?: string };
    try {
      result = await execInContainer(
        kc,
        { namespace, pod, container: ADMIN_CONTAINER, command: ['koji', ...parsed.kojiArgs] },
        io,
      );
    } catch (error) {
      if (httpStatusOf(error) === 403) throw forbiddenMessage('exec', namespace, `pod ${pod}`);
      throw apiFailureMessage(
        `exec into pod "${pod}" (container ${ADMIN_CONTAINER}) in namespace "${namespace}"`,
        error,
      );
    }
    if (result.message) io.stderr.write(`${result.message}\n`);
    return result.code;
  } catch (error) {
    const failure =
      error instanceof PluginError ? error : new PluginError(`error: ${errorText(error)}`, ExitCode.failure);
    io.stderr.write(`${failure.message}\n`);
    return failure.exitCode;
  }
}
