// The HTTPS transport to the koji hub: SSL client-certificate login, session headers,
// timeouts, retries and the mapping of failures to typed errors.
//
// Checked against koji-project/koji at commit 2083513a (koji 1.35.3 + master):
// - koji/__init__.py ClientSession: ssl_login POSTs `sslLogin` to `baseurl + '/ssllogin'`
//   (_prepCall) and takes {session-id, session-key, header-auth} back; setSession resets callnum
//   to 0; every later call sends Koji-Session-Id, Koji-Session-Key and Koji-Session-Callnum
//   (and Koji-Callnum, the only call-number header a 1.35.3 hub reads),
//   incrementing callnum once per call (not per retry: a retry resends the same request, so the
//   hub answers RetryError 1009 if the first attempt was in fact committed); _callMethod never
//   retries a fault, retries other errors, and not certificate errors (is_requests_cert_error);
//   renew_expired_session logs in again on AuthExpired.
// - kojihub/auth.py Session.__init__: reads HTTP_KOJI_SESSION_ID/_KEY/_CALLNUM; a callnum lower
//   than the last gives SequenceError 1008, an equal one RetryError 1009; an expired session
//   gives AuthExpired 1007; a bad id/key gives AuthError 1002 "Invalid session or bad
//   credentials". sslLogin raises AuthError "Already logged in" when sent with a valid
//   session, so a (re-)login here always goes without session headers.
// - kojihub/kojixmlrpc.py: faults are HTTP 200; ServerOffline 1014 comes from offline_reply
//   (startup error, database outage); non-POST gets 405, a bad body 400.
//
// Calls are sent one at a time per transport: the hub requires callnums to arrive in
// increasing order, and concurrent requests on one session could overtake each other and
// fail with SequenceError. Use one transport per concurrent stream of work if ever needed.
//
// Secrets: the client key, certificates and session key live only in private fields and in
// request headers; nothing here logs or puts them into an error message.
import https from 'node:https';
import tls from 'node:tls';
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  AuthError,
  AuthExpired,
  HubUnavailableError,
  KojiFault,
  KojiHttpError,
  KojiProtocolError,
  KojiTlsError,
  ServerOffline,
  faultFromCode,
} from './faults.js';
import { encodeArgs, parseResponse, serializeCall, type KwArgs, type XmlRpcValue } from './wire.js';

/** The part of a (winston) logger the transport uses. */
export interface KojiLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
}

export interface RetryOptions {
  /** Attempts per call on connection errors and timeouts, the first included. Default 4. */
  attempts?: number;
  /** Delay before the first retry; doubles on each further one. Default 500 ms. */
  initialDelayMs?: number;
  /** Upper bound of one delay. Default 10 s. */
  maxDelayMs?: number;
}

export interface KojiTransportOptions {
  /** The hub's XML-RPC endpoint, e.g. `https://koji-hub.koji.svc/kojihub`. */
  hubUrl: string;
  /** PEM of the CA that signed the hub's server certificate. The system CAs are not used. */
  ca: string | Buffer;
  /** PEM client certificate (CN = koji user name) and its key, for sslLogin. */
  cert: string | Buffer;
  key: string | Buffer;
  /** Per-request timeout. Default 30 s (koji's own client allows 12 h: far too long for a controller). */
  timeoutMs?: number;
  /** Timeout of the sslLogin request. Default 60 s, koji's DEFAULT_AUTH_TIMEOUT. */
  loginTimeoutMs?: number;
  retry?: RetryOptions;
  /**
   * Highest TLS version. Set 'TLSv1.2' for hubs configured with a per-Location
   * `SSLVerifyClient require`: under TLS 1.3 that needs post-handshake auth, which Node's client
   * does not do (Apache answers 403). See koji.md §2.
   */
  maxTlsVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** TLS server name to verify, when it differs from the URL's host (e.g. connecting by IP). */
  servername?: string;
  /**
   * Where to open the TCP connection for the URL's host and port; default: there (DNS). TLS
   * still verifies the URL's host name. For running outside the cluster network, e.g. tests
   * that route Service names to a local hub by the Service's endpoints.
   */
  dial?: HubDialer;
  logger?: KojiLogger;
}

/** Maps the host and port a URL names to the address to connect to. */
export type HubDialer = (target: { host: string; port: number }) => Promise<{ host: string; port: number }>;

interface Session {
  id: number;
  key: string;
  /** The next callnum to send; koji's ClientSession starts each session at 0. */
  callnum: number;
}

// Node's codes for a failed or broken connection: nothing reached koji, or the answer was lost.
const CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

// OpenSSL / Node codes for certificate problems: retrying cannot help.
const TLS_ERRORS = /CERT|SIGNATURE|ALTNAME|SELF_SIGNED|UNABLE_TO_|ERR_SSL_|ERR_TLS_|EPROTO/;

/** Retryable: the request can be sent again (by koji's rules, with the same callnum). */
class RetryableTransportError extends Error {
  constructor(
    readonly reason: 'connection' | 'timeout' | 'http-status',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_LOGIN_TIMEOUT_MS = 60_000;

export class KojiTransport {
  readonly #url: URL;
  readonly #agent: https.Agent;
  readonly #timeoutMs: number;
  readonly #loginTimeoutMs: number;
  readonly #retry: Required<RetryOptions>;
  readonly #servername: string | undefined;
  readonly #logger: KojiLogger | undefined;
  #session: Session | undefined;
  #login: Promise<void> | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: KojiTransportOptions) {
    const url = new URL(opts.hubUrl);
    if (url.protocol !== 'https:') {
      // koji's ssl_login forces https too: a client certificate needs TLS.
      throw new TypeError(`hubUrl must be https:, got ${url.protocol}`);
    }
    url.search = '';
    url.hash = '';
    url.pathname = url.pathname.replace(/\/+$/, '');
    this.#url = url;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#loginTimeoutMs = opts.loginTimeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS;
    this.#retry = {
      attempts: Math.max(1, opts.retry?.attempts ?? 4),
      initialDelayMs: opts.retry?.initialDelayMs ?? 500,
      maxDelayMs: opts.retry?.maxDelayMs ?? 10_000,
    };
    this.#servername = opts.servername;
    this.#logger = opts.logger;
    // One agent holds the TLS material; keep-alive saves a handshake per call. The client cert is
    // presented on every connection (as koji's client does), which the hub ignores outside
    // /ssllogin.
    this.#agent = new https.Agent({
      keepAlive: true,
      maxSockets: 1,
      ca: opts.ca,
      cert: opts.cert,
      key: opts.key,
      rejectUnauthorized: true,
      ...(opts.maxTlsVersion ? { maxVersion: opts.maxTlsVersion } : {}),
    });
    if (opts.dial) routeConnections(this.#agent, opts.dial);
  }

  /** The endpoint, for messages (never carries credentials). */
  get hubUrl(): string {
    return this.#url.toString();
  }

  /** True after a successful sslLogin, until logout or a failed re-login. */
  get loggedIn(): boolean {
    return this.#session !== undefined;
  }

  /**
   * Calls a hub method with positional args and optional keyword args, logging in first if
   * needed. Throws a KojiFault subclass for faults, HubUnavailableError when the hub cannot
   * answer, KojiTlsError / KojiHttpError / KojiProtocolError otherwise.
   */
  async call(method: string, args: readonly unknown[] = [], kwargs?: KwArgs): Promise<XmlRpcValue> {
    // Encode before queueing: a value XML-RPC cannot carry fails this call only, as a rejection.
    const body = serializeCall(method, encodeArgs(args, kwargs));
    return this.#serialized(() => this.#callLoggedIn(method, body));
  }

  /** Logs in now (calls do it on demand). */
  login(): Promise<void> {
    return this.#serialized(() => this.#ensureLogin(true));
  }

  /** Closes the hub session (best effort) and forgets it. */
  logout(): Promise<void> {
    return this.#serialized(async () => {
      const session = this.#session;
      if (!session) return;
      const headers = this.#sessionHeaders(session);
      session.callnum += 1;
      try {
        await this.#send('logout', this.#url, serializeCall('logout', []), headers, {
          timeoutMs: this.#timeoutMs,
          attempts: 1,
        });
      } catch (err) {
        // Expired or already closed: there is nothing left to close.
        this.#logger?.debug('koji logout failed', { error: describe(err) });
      } finally {
        this.#session = undefined;
      }
    });
  }

  /** Closes idle connections; the transport must not be used afterwards. */
  close(): void {
    this.#agent.destroy();
  }

  #serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #callLoggedIn(method: string, body: string): Promise<XmlRpcValue> {
    await this.#ensureLogin(false);
    let reloggedIn = false;
    for (;;) {
      const session = this.#session;
      if (!session) throw new AuthError(1002, 'not logged in', method); // unreachable after ensureLogin
      const headers = this.#sessionHeaders(session);
      session.callnum += 1;
      try {
        return await this.#send(method, this.#url, body, headers, {
          timeoutMs: this.#timeoutMs,
          attempts: this.#retry.attempts,
        });
      } catch (err) {
        // A session the hub no longer accepts: log in once more and resend once, as koji's
        // ClientSession does for AuthExpired. Only these two codes: the other AuthError
        // subclasses (lock, sequence, retry, GSSAPI) are not fixed by a new session.
        const relogin =
          err instanceof KojiFault &&
          (err.faultCode === AuthError.code || err.faultCode === AuthExpired.code);
        if (!relogin || reloggedIn) throw err;
        reloggedIn = true;
        this.#logger?.debug('koji session rejected, logging in again', {
          method,
          faultCode: err.faultCode,
        });
        this.#session = undefined;
        await this.#ensureLogin(true);
      }
    }
  }

  async #ensureLogin(force: boolean): Promise<void> {
    if (this.#session && !force) return;
    this.#login ??= this.#doLogin().finally(() => {
      this.#login = undefined;
    });
    return this.#login;
  }

  async #doLogin(): Promise<void> {
    this.#session = undefined;
    const loginUrl = new URL(this.#url);
    loginUrl.pathname = `${loginUrl.pathname}/ssllogin`;
    const result = await this.#send(
      'sslLogin',
      loginUrl,
      serializeCall('sslLogin', []),
      {},
      {
        timeoutMs: this.#loginTimeoutMs,
        attempts: this.#retry.attempts,
      },
    );
    if (typeof result !== 'object' || result === null || Array.isArray(result) || result instanceof Date) {
      throw new KojiProtocolError('sslLogin did not return a session struct');
    }
    const s = result as Record<string, unknown>;
    const id = s['session-id'];
    const key = s['session-key'];
    if (typeof id !== 'number' || typeof key !== 'string' || key === '') {
      throw new KojiProtocolError('sslLogin returned no session-id/session-key');
    }
    if (s['header-auth'] !== true) {
      // Hubs before 1.30 only read the session from the query string; we do not send keys in URLs.
      throw new KojiProtocolError('the hub does not support header sessions (koji < 1.30)');
    }
    this.#session = { id, key, callnum: 0 };
    this.#logger?.debug('koji sslLogin succeeded', { sessionId: id });
  }

  #sessionHeaders(session: Session): Record<string, string> {
    return {
      'Koji-Session-Id': String(session.id),
      'Koji-Session-Key': session.key,
      'Koji-Session-Callnum': String(session.callnum),
      // koji 1.35.3's hub reads only this one (the Koji-Session-Callnum lookup came later):
      // without it the hub has no call number and runs a resent write a second time.
      'Koji-Callnum': String(session.callnum),
    };
  }

  /** Sends one request, retrying connection errors with backoff; maps the answer. */
  async #send(
    method: string,
    url: URL,
    body: string,
    headers: Record<string, string>,
    opts: { timeoutMs: number; attempts: number },
  ): Promise<XmlRpcValue> {
    for (let attempt = 1; ; attempt++) {
      let raw: { status: number; body: Buffer };
      try {
        raw = await this.#post(url, body, headers, opts.timeoutMs);
      } catch (err) {
        if (!(err instanceof RetryableTransportError)) throw err;
        if (attempt >= opts.attempts) {
          throw new HubUnavailableError(
            err.reason,
            `koji hub ${this.hubUrl} unavailable (${method}): ${err.message}`,
            {
              cause: err,
            },
          );
        }
        const delay = Math.min(this.#retry.maxDelayMs, this.#retry.initialDelayMs * 2 ** (attempt - 1));
        // Jitter keeps many controllers from hammering a restarting hub in lockstep.
        const jittered = Math.round(delay * (0.5 + Math.random() / 2));
        this.#logger?.debug('koji call failed, retrying', {
          method,
          attempt,
          delayMs: jittered,
          error: err.message,
        });
        await sleep(jittered);
        continue;
      }
      return this.#decode(method, raw);
    }
  }

  async #decode(method: string, raw: { status: number; body: Buffer }): Promise<XmlRpcValue> {
    const decoded = await parseResponse(raw.body);
    if (decoded.kind === 'result') return decoded.value;
    if (decoded.faultCode === ServerOffline.code) {
      throw new HubUnavailableError(
        'server-offline',
        `koji hub ${this.hubUrl} offline (${method}): ${decoded.faultString}`,
        {
          cause: faultFromCode(decoded.faultCode, decoded.faultString, method),
          faultCode: decoded.faultCode,
          faultString: decoded.faultString,
        },
      );
    }
    throw faultFromCode(decoded.faultCode, decoded.faultString, method);
  }

  #post(
    url: URL,
    body: string,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<{ status: number; body: Buffer }> {
    const payload = Buffer.from(body, 'utf8');
    return new Promise((resolve, reject) => {
      let done = false;
      const finish = (err: Error | undefined, value?: { status: number; body: Buffer }) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value as { status: number; body: Buffer });
      };
      const req = https.request(
        url,
        {
          method: 'POST',
          agent: this.#agent,
          ...(this.#servername ? { servername: this.#servername } : {}),
          headers: {
            ...headers,
            'User-Agent': 'koji-operator',
            'Content-Type': 'text/xml',
            'Content-Length': String(payload.length),
          },
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_RESPONSE_BYTES) {
              req.destroy();
              finish(new KojiProtocolError(`response larger than ${MAX_RESPONSE_BYTES} bytes`));
              return;
            }
            chunks.push(c);
          });
          res.on('error', (e) => finish(classifyNetworkError(e)));
          res.on('close', () => {
            if (!res.complete)
              finish(new RetryableTransportError('connection', 'connection closed mid-response'));
          });
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks);
            if (status === 200) finish(undefined, { status, body: text });
            else finish(httpStatusError(status, text));
          });
        },
      );
      // One deadline for the whole exchange (connect, TLS, hub work, body), not just idle time.
      const timer = setTimeout(() => {
        const e = new RetryableTransportError('timeout', `no answer within ${timeoutMs} ms`);
        finish(e);
        req.destroy(e);
      }, timeoutMs);
      req.on('error', (e) => finish(classifyNetworkError(e)));
      req.end(payload);
    });
  }
}

/**
 * Makes the agent open its connections where `dial` says, keeping the URL's host as the TLS
 * server name. A failed dial fails the request like a refused connection (retried).
 */
function routeConnections(agent: https.Agent, dial: HubDialer): void {
  type Create = (
    options: tls.ConnectionOptions,
    callback: (err: Error | null, socket?: tls.TLSSocket) => void,
  ) => tls.TLSSocket | undefined;
  (agent as unknown as { createConnection: Create }).createConnection = (options, callback) => {
    const host = options.host ?? 'localhost';
    dial({ host, port: Number(options.port ?? 443) }).then(
      (to) => {
        const socket = tls.connect({
          ...options,
          host: to.host,
          port: to.port,
          servername: options.servername ?? host,
        });
        callback(null, socket);
      },
      (error: unknown) => {
        const failure = Object.assign(
          new Error(`cannot reach ${host}: ${error instanceof Error ? error.message : String(error)}`),
          {
            code: 'ECONNREFUSED',
          },
        );
        callback(failure);
      },
    );
    return undefined;
  };
}

function httpStatusError(status: number, body: Buffer): Error {
  // A short, printable excerpt of an HTML error page (Apache, an ingress) helps diagnosis;
  // hub answers never echo our headers, so this holds no secrets.
  const excerpt = body
    .subarray(0, 300)
    .toString('utf8')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const msg = `HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`;
  // 502/503/504: a proxy or load balancer with no ready hub behind it.
  if (status === 502 || status === 503 || status === 504)
    return new RetryableTransportError('http-status', msg);
  return new KojiHttpError(status, msg);
}

function classifyNetworkError(err: Error): Error {
  if (err instanceof RetryableTransportError || err instanceof KojiProtocolError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code && TLS_ERRORS.test(code)) {
    return new KojiTlsError(`TLS error talking to the koji hub: ${err.message}`, code, { cause: err });
  }
  if ((code && CONNECTION_ERRORS.has(code)) || /socket hang up/i.test(err.message)) {
    return new RetryableTransportError('connection', `${code ?? 'connection error'}: ${err.message}`, {
      cause: err,
    });
  }
  // Unknown low-level failure: treat as a connection problem, as koji's client does for
  // anything that is not a fault or a certificate error.
  return new RetryableTransportError('connection', err.message, { cause: err });
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
