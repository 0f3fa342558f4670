// The kubeconfig: which apiserver to talk to and with what credentials. Read from a given file,
// from KUBECONFIG (several files merged as kubectl merges them), from ~/.kube/config, or from
// the in-cluster service account, in that order.
// Ours rather than client-node's KubeConfig because that module imports client-node's whole
// generated API: about 85 MiB of RSS and 1-4 s of start-up for an operator that uses none of
// it. The entries are parsed by client-node's own small config_types module and exec plugins
// run through its ExecAuth, so every field means what it means there. What we do not do
// ourselves (auth-provider plugins: oidc, gcp, azure; a proxy-url) is handed to client-node's
// full KubeConfig, imported only then, so such kubeconfigs keep working at the old cost.
// How it fails: an unreadable or unparsable file throws, naming the file; no current context or
// cluster throws when a client is made from it; a failing exec plugin rejects the request it
// was run for with the plugin's stderr; an unreadable token file rejects the request.
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import type { RequestOptions } from 'node:https';
import { isIPv6 } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node';
import { newClusters, newContexts, newUsers } from '@kubernetes/client-node/dist/config_types.js';
import type { Cluster, Context, User } from '@kubernetes/client-node/dist/config_types.js';
import { ExecAuth } from '@kubernetes/client-node/dist/exec_auth.js';
import { parse } from 'yaml';

/** The two calls the HTTP layer makes; client-node's KubeConfig has them too. */
export interface KubeAccess {
  getCurrentCluster(): Cluster | null;
  /** Puts TLS material and credentials into the options of one request. */
  applyToHTTPSOptions(options: RequestOptions): Promise<void>;
}

/** Where a pod's service account credentials are mounted. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Files (a pod's bound token is rotated by the kubelet; certificates get renewed) are re-read
 * this often, as client-go does for tokens, rather than on every request.
 */
const FILE_REFRESH_MS = 60_000;

interface KubeconfigDocument {
  clusters?: unknown;
  users?: unknown;
  contexts?: unknown;
  'current-context'?: string;
}

export class Kubeconfig implements KubeAccess {
  private readonly exec = new ExecAuth();
  private readonly files = new Map<string, { content: Buffer; readAt: number }>();
  private readonly decoded = new Map<string, Buffer>();
  private full: Promise<KubeConfig> | undefined;

  constructor(
    readonly clusters: Cluster[],
    readonly users: User[],
    readonly contexts: Context[],
    public currentContext: string | undefined,
  ) {}

  /** One kubeconfig file; relative paths in it are relative to its directory. */
  static fromFile(file: string): Kubeconfig {
    let document: KubeconfigDocument;
    try {
      document = (parse(readFileSync(file, 'utf8')) ?? {}) as KubeconfigDocument;
    } catch (error) {
      throw new Error(
        `cannot read the kubeconfig ${file}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    const root = dirname(file);
    const absolute = (path: string | undefined) => (path && !isAbsolute(path) ? join(root, path) : path);
    const clusters = newClusters(document.clusters).map((c) => ({ ...c, caFile: absolute(c.caFile) }));
    const users = newUsers(document.users).map((u) => ({
      ...u,
      certFile: absolute(u.certFile),
      keyFile: absolute(u.keyFile),
    }));
    return new Kubeconfig(clusters, users, newContexts(document.contexts), document['current-context']);
  }

  /** Several files merged as kubectl does: for every name and for current-context, the first file to set it wins. */
  static merged(files: string[]): Kubeconfig {
    const [first, ...rest] = files.map((file) => Kubeconfig.fromFile(file));
    const merged = first ?? new Kubeconfig([], [], [], undefined);
    for (const next of rest) {
      const add = <T extends { name: string }>(into: T[], from: T[]) => {
        for (const entry of from) if (!into.some((e) => e.name === entry.name)) into.push(entry);
      };
      add(merged.clusters, next.clusters);
      add(merged.users, next.users);
      add(merged.contexts, next.contexts);
      merged.currentContext ||= next.currentContext;
    }
    return merged;
  }

  /** The pod's service account: KUBERNETES_SERVICE_HOST/PORT, its token (re-read as it rotates) and CA. */
  static inCluster(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR): Kubeconfig {
    const host = env.KUBERNETES_SERVICE_HOST ?? '';
    const port = env.KUBERNETES_SERVICE_PORT ?? '443';
    const scheme = ['80', '8080', '8001'].includes(port) ? 'http' : 'https';
    const server = `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`;
    let namespace: string | undefined;
    try {
      namespace = readFileSync(join(dir, 'namespace'), 'utf8').trim() || undefined;
    } catch {
      namespace = undefined;
    }
    return new Kubeconfig(
      [{ name: 'inCluster', server, caFile: join(dir, 'ca.crt'), skipTLSVerify: false }],
      [
        {
          name: 'inClusterUser',
          authProvider: { name: 'tokenFile', config: { tokenFile: join(dir, 'token') } },
        },
      ],
      [{ name: 'inClusterContext', cluster: 'inCluster', user: 'inClusterUser', namespace }],
      'inClusterContext',
    );
  }

  getCurrentContext(): string | undefined {
    return this.currentContext;
  }

  getContextObject(name: string | undefined): Context | null {
    return this.contexts.find((c) => c.name === name) ?? null;
  }

  getCurrentCluster(): Cluster | null {
    const context = this.getContextObject(this.currentContext);
    return (context && this.clusters.find((c) => c.name === context.cluster)) ?? null;
  }

  getCurrentUser(): User | null {
    const context = this.getContextObject(this.currentContext);
    return (context && this.users.find((u) => u.name === context.user)) ?? null;
  }

  async applyToHTTPSOptions(options: RequestOptions): Promise<void> {
    const cluster = this.getCurrentCluster();
    const user = this.getCurrentUser();
    if (cluster?.proxyUrl || handledElsewhere(user)) {
      await (await this.fullKubeConfig()).applyToHTTPSOptions(options as never);
      return;
    }
    if (cluster) {
      if (cluster.skipTLSVerify) options.rejectUnauthorized = false;
      if (cluster.tlsServerName) options.servername = cluster.tlsServerName;
      const ca = this.material(cluster.caFile, cluster.caData);
      if (ca) options.ca = ca;
    }
    if (!user) return;
    const cert = this.material(user.certFile, user.certData);
    if (cert) options.cert = cert;
    const key = this.material(user.keyFile, user.keyData);
    if (key) options.key = key;
    const headers = (options.headers ??= {}) as Record<string, string>;
    if (user.impersonateUser) headers['Impersonate-User'] = user.impersonateUser;
    const tokenFile = user.authProvider?.config?.tokenFile as string | undefined;
    if (this.exec.isAuthProvider(user)) await this.exec.applyAuthentication(user, options as never);
    else if (tokenFile) headers.Authorization = `Bearer ${this.file(tokenFile).toString('utf8').trim()}`;
    if (user.token) headers.Authorization = `Bearer ${user.token}`;
    if (user.username) options.auth = `${user.username}:${user.password}`;
  }

  /** TLS material from a file or from base64 data. */
  private material(file: string | undefined, data: string | undefined): Buffer | undefined {
    if (file) return this.file(file);
    if (!data) return undefined;
    let decoded = this.decoded.get(data);
    if (!decoded) this.decoded.set(data, (decoded = Buffer.from(data, 'base64')));
    return decoded;
  }

  private file(path: string): Buffer {
    const cached = this.files.get(path);
    const now = Date.now();
    if (cached && now - cached.readAt < FILE_REFRESH_MS) return cached.content;
    const content = readFileSync(path);
    this.files.set(path, { content, readAt: now });
    return content;
  }

  private fullKubeConfig(): Promise<KubeConfig> {
    this.full ??= import('@kubernetes/client-node').then(({ KubeConfig }) => {
      const config = new KubeConfig();
      config.loadFromOptions({
        clusters: this.clusters,
        users: this.users,
        contexts: this.contexts,
        currentContext: this.currentContext ?? '',
      });
      return config;
    });
    return this.full;
  }
}

/** An auth-provider plugin (oidc, gcp, azure, ...) that only client-node's full KubeConfig runs. */
function handledElsewhere(user: User | null): boolean {
  const provider = user?.authProvider as { name?: string; config?: Record<string, unknown> } | undefined;
  if (!provider) return false;
  return !(provider.name === 'exec' || provider.config?.exec || provider.config?.tokenFile);
}

/** Loads the kubeconfig: a given file, else KUBECONFIG / ~/.kube/config, else the in-cluster service account. */
export function loadKubeConfig(file?: string, env: NodeJS.ProcessEnv = process.env): Kubeconfig {
  if (file) return Kubeconfig.fromFile(file);
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter(Boolean);
  if (listed.length > 0) return Kubeconfig.merged(listed);
  const home = join(env.HOME ?? homedir(), '.kube', 'config');
  if (exists(home)) return Kubeconfig.fromFile(home);
  if (exists(join(SERVICE_ACCOUNT_DIR, 'token'))) return Kubeconfig.inCluster(env);
  throw new Error(
    'no kubeconfig: set KUBECONFIG, create ~/.kube/config, or run in a pod with a service account',
  );
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
