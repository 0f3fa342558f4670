// The one place that speaks HTTP to the apiserver: JSON requests and line-delimited
// watch streams over node:https, with TLS and credentials taken from the kubeconfig.
// We do not use client-node's generated APIs or its Watch: the latter caps every watch
// at 30 s and neither lets us choose patch content types per call.
import type { KubeAccess } from './kubeconfig.js';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { ApiError } from './errors.js';

export interface RequestInit {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Socket inactivity limit; watches pass 0 and rely on their own watchdog. */
  timeoutMs?: number;
}

export class KubeHttp {
  private readonly server: URL;
  /** The server URL without a trailing slash, to which request paths are appended. */
  private readonly base: string;
  private readonly agent: HttpsAgent | HttpAgent;
  /**
   * Watches hold their socket for minutes: they get a pool of their own, without a cap, so
   * however many an operator opens, requests (writes, Lease renewals, lists) never queue
   * behind them (with one shared pool of 128, 4 namespaces of the Koji operator starved it).
   */
  private readonly watchAgent: HttpsAgent | HttpAgent;
  private writeGate: (() => void) | undefined;

  constructor(private readonly config: KubeAccess) {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    this.server = new URL(cluster.server);
    this.base = this.server.toString().replace(/\/$/, '');
    const agent = (maxSockets: number) =>
      this.server.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true, maxSockets })
        : new HttpAgent({ keepAlive: true, maxSockets });
    this.agent = agent(128);
    this.watchAgent = agent(Infinity);
  }

  get serverUrl(): string {
    return this.server.toString();
  }

  /**
   * Installs a check run before every write (any method but GET); it throws to refuse. Leader
   * election uses it so a deposed leader writes nothing, whoever asks (engine, handlers, Events).
   */
  setWriteGate(gate: (() => void) | undefined): void {
    this.writeGate = gate;
  }

  /** Throws if writes are refused now (see setWriteGate). */
  assertMayWrite(): void {
    this.writeGate?.();
  }

  async request<T>(method: string, path: string, init: RequestInit = {}): Promise<T> {
    if (method !== 'GET') this.writeGate?.();
    const response = await this.send(method, path, init);
    const text = await readAll(response);
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return (text ? JSON.parse(text) : undefined) as T;
    throw toApiError(status, text);
  }

  /** GET a watch: yields each JSON line as it arrives; ends when the server closes the stream. */
  async *stream(path: string, init: RequestInit = {}): AsyncGenerator<unknown> {
    const response = await this.send(
      'GET',
      path,
      { ...init, timeoutMs: init.timeoutMs ?? 0 },
      this.watchAgent,
    );
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw toApiError(status, await readAll(response));
    response.setEncoding('utf8');
    let buffered = '';
    try {
      for await (const chunk of response as AsyncIterable<string>) {
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line) yield JSON.parse(line);
        }
      }
    } finally {
      response.destroy();
    }
  }

  private async send(
    method: string,
    path: string,
    init: RequestInit,
    agent: HttpsAgent | HttpAgent = this.agent,
  ): Promise<IncomingMessage> {
    // Concatenate rather than resolve, so a server URL with a path prefix (API proxies) keeps it.
    const url = new URL(this.base + path);
    for (const [key, value] of Object.entries(init.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const body =
      init.body === undefined
        ? undefined
        : typeof init.body === 'string'
          ? init.body
          : JSON.stringify(init.body);
    const options: RequestOptions = {
      method,
      agent,
      headers: {
        Accept: 'application/json',
        ...(body !== undefined
          ? {
              'Content-Type': init.contentType ?? 'application/json',
              'Content-Length': Buffer.byteLength(body),
            }
          : {}),
      },
      signal: init.signal,
    };
    await this.config.applyToHTTPSOptions(options);
    // client-node puts in an Agent of its own without keep-alive, so every call would pay a new
    // TCP connection and client-certificate TLS handshake (over half our CPU under load). Keep
    // ours, which pools sockets by these same TLS options, unless the cluster goes through a proxy.
    if (!this.config.getCurrentCluster()?.proxyUrl) options.agent = agent;
    const timeoutMs = init.timeoutMs ?? 60_000;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, options, resolve);
      req.on('error', reject);
      if (timeoutMs > 0) {
        req.setTimeout(timeoutMs, () =>
          req.destroy(new Error(`${method} ${url.pathname} timed out after ${timeoutMs} ms`)),
        );
      }
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }
}

/** The whole body. Listeners rather than an async iterator: cheaper per request, and every write makes one. */
function readAll(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended = false;
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => {
      ended = true;
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    response.on('error', reject);
    response.on('close', () => {
      if (!ended) reject(new Error('the connection closed before the whole response arrived'));
    });
  });
}

function toApiError(status: number, text: string): ApiError {
  let parsed: { reason?: string; message?: string } | undefined;
  try {
    parsed = JSON.parse(text) as { reason?: string; message?: string };
  } catch {
    parsed = undefined;
  }
  return new ApiError(
    status,
    parsed?.reason ?? `HTTP${status}`,
    parsed?.message ?? (text.slice(0, 500) || `HTTP ${status}`),
    parsed,
  );
}
