// What `kubectl koji` says when it cannot run koji, and with which exit code (pure functions).
// The plugin's own exit codes (64-70, after sysexits.h) never clash with koji's (0, 1, 2) nor
// with a shell's (126, 127, 128+signal), so a script can tell "koji failed" from "koji did not run".

export const ExitCode = {
  usage: 64,
  noHub: 65,
  noSidecar: 66,
  noReadyPod: 67,
  noAdminContainer: 68,
  forbidden: 69,
  failure: 70,
} as const;

export const ADMIN_CONTAINER = 'koji-admin';
export const HUB_GROUP = 'koji.fedoraproject.org';
export const HUB_VERSION = 'v1alpha1';
export const HUB_PLURAL = 'kojihubs';

/** An error the plugin reports as its message (to stderr) and exit code. */
export class PluginError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'PluginError';
  }
}

export function usageError(message: string): PluginError {
  return new PluginError(`error: ${message}`, ExitCode.usage);
}

export function noHubMessage(namespace: string): PluginError {
  return new PluginError(
    [
      `error: there is no KojiHub in namespace "${namespace}".`,
      `Choose the namespace of your Koji instance with -n <namespace>, or see where KojiHubs are with`,
      `  kubectl get kojihubs --all-namespaces`,
    ].join('\n'),
    ExitCode.noHub,
  );
}

export function hubNotFoundMessage(name: string, namespace: string, others: readonly string[]): PluginError {
  const there = others.length
    ? `the KojiHubs there are: ${others.join(', ')}`
    : 'there is no KojiHub in that namespace';
  return new PluginError(
    `error: KojiHub "${name}" was not found in namespace "${namespace}"; ${there}.`,
    ExitCode.noHub,
  );
}

export function severalHubsMessage(namespace: string, names: readonly string[]): PluginError {
  return new PluginError(
    [
      `error: namespace "${namespace}" has ${names.length} KojiHubs (${names.join(', ')}); choose one with --hub, e.g.`,
      `  kubectl koji -n ${namespace} --hub ${names[0] ?? '<name>'} <koji command>`,
    ].join('\n'),
    ExitCode.noHub,
  );
}

/** The hub has no admin sidecar: the exact command that enables it, and what happens next. */
export function noSidecarMessage(hub: string, namespace: string): PluginError {
  return new PluginError(
    [
      `error: KojiHub "${hub}" in namespace "${namespace}" has no admin sidecar (spec.sidecar is not true),`,
      `so there is no ${ADMIN_CONTAINER} container to run koji in. To enable it:`,
      '',
      `  kubectl patch kojihub ${hub} -n ${namespace} --type merge -p '{"spec":{"sidecar":true}}'`,
      '',
      `The operator then adds the ${ADMIN_CONTAINER} container (koji configured as the Koji admin) to`,
      `Deployment "${hub}", which rolls out new hub pods. Wait for them with`,
      '',
      `  kubectl rollout status deployment/${hub} -n ${namespace}`,
      '',
      'and run this command again.',
    ].join('\n'),
    ExitCode.noSidecar,
  );
}

export interface PodSummary {
  name: string;
  phase?: string;
  ready: boolean;
  terminating: boolean;
}

export function noReadyPodMessage(hub: string, namespace: string, pods: readonly PodSummary[]): PluginError {
  const seen = pods.length
    ? `its pods: ${pods
        .map(
          (p) =>
            `${p.name} (${p.terminating ? 'Terminating' : (p.phase ?? 'Unknown')}, ${p.ready ? 'Ready' : 'not Ready'})`,
        )
        .join(', ')}`
    : 'it has no pods';
  return new PluginError(
    [
      `error: KojiHub "${hub}" in namespace "${namespace}" has no Ready pod to run koji in; ${seen}.`,
      `See why with`,
      `  kubectl get pods -n ${namespace} -l app.kubernetes.io/name=koji-hub,app.kubernetes.io/instance=${hub}`,
      `  kubectl describe kojihub ${hub} -n ${namespace}`,
    ].join('\n'),
    ExitCode.noReadyPod,
  );
}

export function noAdminContainerMessage(
  hub: string,
  namespace: string,
  pods: readonly string[],
): PluginError {
  return new PluginError(
    [
      `error: KojiHub "${hub}" in namespace "${namespace}" has spec.sidecar: true, but its Ready pod${pods.length > 1 ? 's' : ''} ` +
        `(${pods.join(', ')}) ${pods.length > 1 ? 'have' : 'has'} no ${ADMIN_CONTAINER} container yet.`,
      `The Deployment is probably still rolling out the sidecar; wait for it with`,
      `  kubectl rollout status deployment/${hub} -n ${namespace}`,
      'and run this command again.',
    ].join('\n'),
    ExitCode.noAdminContainer,
  );
}

/** A 403 from the apiserver: what was denied, and the RBAC rule that would allow it. */
export function forbiddenMessage(
  action: 'list-hubs' | 'get-hub' | 'list-pods' | 'exec',
  namespace: string,
  detail?: string,
): PluginError {
  const what = {
    'list-hubs': {
      text: 'list KojiHubs',
      rule: 'verbs [list] on kojihubs (apiGroup koji.fedoraproject.org)',
    },
    'get-hub': {
      text: 'read the KojiHub',
      rule: 'verbs [get] on kojihubs (apiGroup koji.fedoraproject.org)',
    },
    'list-pods': { text: 'list pods', rule: 'verbs [list] on pods' },
    exec: { text: 'exec into pods', rule: 'verbs [get, create] on pods/exec' },
  }[action];
  return new PluginError(
    [
      `error: you are not allowed to ${what.text} in namespace "${namespace}" (HTTP 403 Forbidden)${detail ? `: ${detail}` : ''}.`,
      `kubectl koji needs a Role in that namespace with ${what.rule}; check with`,
      `  kubectl auth can-i ${action === 'exec' ? 'create pods/exec' : action === 'list-pods' ? 'list pods' : `${action === 'get-hub' ? 'get' : 'list'} kojihubs.koji.fedoraproject.org`} -n ${namespace}`,
    ].join('\n'),
    ExitCode.forbidden,
  );
}

export function crdMissingMessage(): PluginError {
  return new PluginError(
    'error: this cluster does not serve kojihubs.koji.fedoraproject.org/v1alpha1: is the Koji operator installed (its CRDs applied)?',
    ExitCode.failure,
  );
}

export function apiFailureMessage(what: string, error: unknown): PluginError {
  return new PluginError(`error: could not ${what}: ${errorText(error)}`, ExitCode.failure);
}

/** A short text for an error from client-node (ApiException carries the Status body). */
export function errorText(error: unknown): string {
  if (error && typeof error === 'object') {
    const body = (error as { body?: unknown }).body;
    const parsed = typeof body === 'string' ? safeJson(body) : body;
    const message = (parsed as { message?: unknown } | undefined)?.message;
    const code = (error as { code?: unknown }).code;
    if (typeof message === 'string' && message)
      return typeof code === 'number' ? `${message} (HTTP ${code})` : message;
    const cause = (error as { cause?: unknown }).cause;
    const text = error instanceof Error ? error.message.split('\n')[0] : String(error);
    if (cause instanceof Error && cause.message && !text?.includes(cause.message))
      return `${text}: ${cause.message}`;
    return text ?? String(error);
  }
  return String(error);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The HTTP status of a failed API call or WebSocket upgrade, when there is one. */
export function httpStatusOf(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number') return code;
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  if (typeof statusCode === 'number') return statusCode;
  // ws: "Unexpected server response: 403"
  const match = /Unexpected server response: (\d{3})/.exec(
    (error as { message?: unknown }).message as string,
  );
  return match ? Number(match[1]) : undefined;
}

/** The exec status channel's final message (a metav1.Status), as client-node hands it over. */
export interface ExecStatus {
  status?: string;
  reason?: string;
  message?: string;
  details?: { causes?: { reason?: string; type?: string; message?: string }[] };
}

/**
 * The exit code of the remote command, from the status channel: 0 for Success; the ExitCode cause
 * of a NonZeroExitCode failure (what kubelets send); "exit status N" at the end of the message of
 * a failure that has no cause (KWOK's local exec reports a command's non-zero exit that way).
 * Any other failure (the command could not be started, the container is gone...) is the plugin's
 * own: exit 70 with the status message.
 */
export function exitFromStatus(status: ExecStatus | undefined): { code: number; message?: string } {
  if (!status) {
    return {
      code: ExitCode.failure,
      message: 'error: the exec connection closed without reporting the exit status of koji',
    };
  }
  if (status.status === 'Success') return { code: 0 };
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => (c.reason ?? c.type) === 'ExitCode');
    const code = Number(cause?.message);
    if (Number.isInteger(code) && code > 0) return { code };
  }
  const kwokStyle = /exit status (\d+)\s*$/.exec(status.message ?? '');
  if (kwokStyle) {
    const code = Number(kwokStyle[1]);
    if (code > 0) return { code };
  }
  return {
    code: ExitCode.failure,
    message: `error: running koji in the ${ADMIN_CONTAINER} container failed: ${status.message ?? status.reason ?? 'unknown error'}`,
  };
}
