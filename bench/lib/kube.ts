// A minimal apiserver client over node:https for the benchmark's driver and its raw operator:
// TLS material taken once from the kubeconfig (via @kubernetes/client-node), one keep-alive
// agent, JSON requests and line-delimited watch streams. No framework code.
import { KubeConfig } from '@kubernetes/client-node';
import { Agent, request, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion?: string;
    annotations?: Record<string, string>;
    finalizers?: string[];
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject & { code?: number };
}

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export const GROUP = 'bench.fedora-operators';
export const PLURAL = 'benchobjects';
export const objectsPath = (ns: string) => `/apis/${GROUP}/v1/namespaces/${ns}/${PLURAL}`;

export class Kube {
  private readonly server: URL;
  private readonly agent: Agent;
  private readonly headers: Record<string, string>;

  private constructor(server: URL, agent: Agent, headers: Record<string, string>) {
    this.server = server;
    this.agent = agent;
    this.headers = headers;
  }

  /** Loads KUBECONFIG (or the given file) once; every request reuses its TLS material. */
  static async load(file?: string, maxSockets = 64): Promise<Kube> {
    const config = new KubeConfig();
    if (file) config.loadFromFile(file);
    else config.loadFromDefault();
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const tls: RequestOptions = {};
    await config.applyToHTTPSOptions(tls);
    const agent = new Agent({ keepAlive: true, maxSockets, ca: tls.ca, cert: tls.cert, key: tls.key });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(tls.headers ?? {})) if (typeof v === 'string') headers[k] = v;
    return new Kube(new URL(cluster.server), agent, headers);
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<T> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const response = await this.send(method, path, text, contentType);
    const data = await readAll(response);
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      throw new ApiError(status, `${method} ${path}: HTTP ${status} ${data.slice(0, 300)}`);
    }
    return (data ? JSON.parse(data) : undefined) as T;
  }

  mergePatchStatus(ns: string, name: string, status: Record<string, unknown>): Promise<KubeObject> {
    return this.request(
      'PATCH',
      `${objectsPath(ns)}/${name}/status`,
      { status },
      'application/merge-patch+json',
    );
  }

  /** Every object, in pages; also the list's resourceVersion to watch from. */
  async listAll(ns: string): Promise<{ items: KubeObject[]; resourceVersion: string }> {
    const items: KubeObject[] = [];
    let cont = '';
    let resourceVersion: string;
    do {
      const query = `?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`;
      const page = await this.request<{
        items: KubeObject[];
        metadata: { continue?: string; resourceVersion: string };
      }>('GET', objectsPath(ns) + query);
      items.push(...page.items);
      cont = page.metadata.continue ?? '';
      resourceVersion = page.metadata.resourceVersion;
    } while (cont);
    return { items, resourceVersion };
  }

  /** One watch request: yields events until the server ends it (timeoutSeconds) or the signal aborts. */
  async *watch(ns: string, resourceVersion: string, signal: AbortSignal): AsyncGenerator<WatchEvent> {
    const query = `?watch=1&allowWatchBookmarks=true&timeoutSeconds=600&resourceVersion=${resourceVersion}`;
    const response = await this.send('GET', objectsPath(ns) + query, undefined, undefined, signal);
    if ((response.statusCode ?? 0) !== 200) {
      throw new ApiError(
        response.statusCode ?? 0,
        `watch: HTTP ${response.statusCode} ${await readAll(response)}`,
      );
    }
    response.setEncoding('utf8');
    let buffered = '';
    try {
      for await (const chunk of response as AsyncIterable<string>) {
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          if (line.trim()) yield JSON.parse(line) as WatchEvent;
        }
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      response.destroy();
    }
  }

  private send(
    method: string,
    path: string,
    body: string | undefined,
    contentType?: string,
    signal?: AbortSignal,
  ): Promise<IncomingMessage> {
    const headers: Record<string, string | number> = { Accept: 'application/json', ...this.headers };
    if (body !== undefined) {
      headers['Content-Type'] = contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, this.server),
        { method, agent: this.agent, headers, signal },
        resolve,
      );
      req.on('error', reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

async function readAll(response: IncomingMessage): Promise<string> {
  response.setEncoding('utf8');
  let text = '';
  for await (const chunk of response as AsyncIterable<string>) text += chunk;
  return text;
}
