// Served namespaces that do not exist. The apiserver lists and watches a namespace that does
// not exist as an empty one, so an operator told to serve a misspelt or not-yet-created
// namespace would sit synced and idle, saying nothing. Each served namespace is looked up at
// start and the missing ones again every `recheckSeconds` until they appear:
//   - 404: reported (a warning, `operator_namespace_missing{namespace} 1`, a line in /readyz),
//     and still watched, so objects created there once it exists are served without a restart;
//   - it appears: an info line, the gauge drops to 0;
//   - 403 (RBAC bound per namespace cannot grant `get` on a namespace that has no bindings
//     yet) or any other failure: it cannot be told; debug only, the watch's own failures say more.
import { isApiError } from '../kube/errors.js';
import type { KubeClient } from '../kube/client.js';
import { CoreResources } from '../kube/resource.js';
import type { Logger } from '../logging/logger.js';

export type NamespaceState = 'present' | 'missing' | 'unknown';

/** What a GET of the namespace says about it. */
export function namespaceState(error: unknown): NamespaceState {
  if (error === undefined) return 'present';
  return isApiError(error, 404) ? 'missing' : 'unknown';
}

export interface ServedNamespacesOptions {
  client: KubeClient;
  logger: Logger;
  namespaces: string[];
  recheckSeconds: number;
  /** The gauge: 1 while missing, 0 once present. */
  onState?: (namespace: string, missing: boolean) => void;
}

export class ServedNamespaces {
  private readonly missingNow = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ServedNamespacesOptions) {}

  /** The served namespaces known not to exist. */
  get missing(): string[] {
    return [...this.missingNow];
  }

  async start(): Promise<void> {
    await this.check(this.options.namespaces);
    this.timer = setInterval(() => {
      if (this.missingNow.size > 0) void this.check([...this.missingNow]);
    }, this.options.recheckSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async check(namespaces: string[]): Promise<void> {
    const { client, logger, onState } = this.options;
    await Promise.all(
      namespaces.map(async (namespace) => {
        let error: unknown;
        try {
          await client.get(CoreResources.namespace, undefined, namespace);
        } catch (e) {
          error = e;
        }
        const state = namespaceState(error);
        const wasMissing = this.missingNow.has(namespace);
        if (state === 'missing' && !wasMissing) {
          this.missingNow.add(namespace);
          logger.warn(
            `served namespace "${namespace}" does not exist: it is watched, and served once it is created`,
          );
        } else if (state === 'present' && wasMissing) {
          this.missingNow.delete(namespace);
          logger.info(`served namespace "${namespace}" now exists`);
        } else if (state === 'unknown') {
          logger.debug(`could not look up served namespace "${namespace}": ${String(error)}`);
          return;
        }
        onState?.(namespace, state === 'missing');
      }),
    );
  }
}
