// KojiClient: the typed API the operator's controllers use, over one logged-in transport.
//
// Errors: a KojiFault subclass when koji refused the call (see faults.ts: isAlreadyExists /
// isNotFound tell koji's GenericError messages apart), HubUnavailableError when the hub cannot
// answer now (isHubUnavailable), KojiTlsError / KojiHttpError / KojiProtocolError for setups
// that retrying will not fix.
import { kojiCalls, type KojiCall } from './calls.js';
import { KojiFault, KojiProtocolError, faultFromCode } from './faults.js';
import { KojiTransport, type KojiTransportOptions } from './transport.js';
import type {
  EditHostChanges,
  HostRef,
  KojiChannel,
  KojiHost,
  KojiLoggedInUser,
  KojiPermission,
  KojiUserInfo,
  ListChannelsFilter,
  ListHostsFilter,
  UserRef,
  UserStatus,
} from './types.js';
import { encodeArgs, type XmlRpcValue } from './wire.js';

/** One entry of a multiCall: koji runs each call in its own savepoint, so some may fail alone. */
export type MultiCallResult<T> = { ok: true; value: T } | { ok: false; error: KojiFault | KojiProtocolError };

export type MultiCallResults<T extends readonly KojiCall<unknown>[]> = {
  -readonly [K in keyof T]: T[K] extends KojiCall<infer R> ? MultiCallResult<R> : never;
};

export class KojiClient {
  readonly transport: KojiTransport;

  constructor(options: KojiTransportOptions | KojiTransport) {
    this.transport = options instanceof KojiTransport ? options : new KojiTransport(options);
  }

  /** Runs one prepared call. */
  async run<T>(c: KojiCall<T>): Promise<T> {
    const value = await this.transport.call(c.method, c.args, c.kwargs);
    return c.decode(value, c.method);
  }

  /**
   * Sends the calls in one `multiCall` request and returns one result per call, in order.
   * Not atomic: the hub runs each call in a savepoint and commits the ones that succeeded, so a
   * failure in one leaves the others done. A failure of the request as a whole (hub down, login)
   * throws instead.
   */
  async multiCall<const T extends readonly KojiCall<unknown>[]>(calls: T): Promise<MultiCallResults<T>> {
    if (calls.length === 0) return [] as unknown as MultiCallResults<T>;
    const batch = calls.map((c) => ({ methodName: c.method, params: encodeArgs(c.args, c.kwargs) }));
    const raw = await this.transport.call('multiCall', [batch]);
    if (!Array.isArray(raw) || raw.length !== calls.length) {
      throw new KojiProtocolError(`multiCall: expected ${calls.length} results from the hub`);
    }
    return calls.map((c, i) => decodeEntry(c, raw[i] ?? null)) as unknown as MultiCallResults<T>;
  }

  /** Logs in with the client certificate now (calls log in on demand anyway). */
  login(): Promise<void> {
    return this.transport.login();
  }

  /** Closes the hub session and the connections. */
  async close(): Promise<void> {
    try {
      await this.transport.logout();
    } finally {
      this.transport.close();
    }
  }

  getAPIVersion(): Promise<number> {
    return this.run(kojiCalls.getAPIVersion());
  }
  getKojiVersion(): Promise<string> {
    return this.run(kojiCalls.getKojiVersion());
  }
  getLoggedInUser(): Promise<KojiLoggedInUser | null> {
    return this.run(kojiCalls.getLoggedInUser());
  }
  getUser(
    user: UserRef,
    opts?: { strict?: boolean; krbPrincs?: boolean; groups?: boolean },
  ): Promise<KojiUserInfo | null> {
    return this.run(kojiCalls.getUser(user, opts));
  }
  createUser(username: string, status?: UserStatus, krbPrincipal?: string): Promise<number> {
    return this.run(kojiCalls.createUser(username, status, krbPrincipal));
  }
  enableUser(username: string): Promise<void> {
    return this.run(kojiCalls.enableUser(username));
  }
  disableUser(username: string): Promise<void> {
    return this.run(kojiCalls.disableUser(username));
  }
  getUserPerms(user?: UserRef, withGroups?: boolean): Promise<string[]> {
    return this.run(kojiCalls.getUserPerms(user, withGroups));
  }
  getAllPerms(): Promise<KojiPermission[]> {
    return this.run(kojiCalls.getAllPerms());
  }
  getPerms(): Promise<string[]> {
    return this.run(kojiCalls.getPerms());
  }
  hasPerm(perm: string, strict?: boolean): Promise<boolean> {
    return this.run(kojiCalls.hasPerm(perm, strict));
  }
  grantPermission(user: UserRef, permission: string, create?: boolean, description?: string): Promise<void> {
    return this.run(kojiCalls.grantPermission(user, permission, create, description));
  }
  revokePermission(user: UserRef, permission: string): Promise<void> {
    return this.run(kojiCalls.revokePermission(user, permission));
  }
  getHost(host: HostRef, opts?: { strict?: boolean; event?: number }): Promise<KojiHost | null> {
    return this.run(kojiCalls.getHost(host, opts));
  }
  addHost(
    hostname: string,
    arches: readonly string[],
    krbPrincipal?: string,
    force?: boolean,
  ): Promise<number> {
    return this.run(kojiCalls.addHost(hostname, arches, krbPrincipal, force));
  }
  editHost(host: HostRef, changes: EditHostChanges): Promise<boolean> {
    return this.run(kojiCalls.editHost(host, changes));
  }
  listHosts(filter?: ListHostsFilter): Promise<KojiHost[]> {
    return this.run(kojiCalls.listHosts(filter));
  }
  enableHost(hostname: string): Promise<void> {
    return this.run(kojiCalls.enableHost(hostname));
  }
  disableHost(hostname: string): Promise<void> {
    return this.run(kojiCalls.disableHost(hostname));
  }
  listChannels(filter?: ListChannelsFilter): Promise<KojiChannel[]> {
    return this.run(kojiCalls.listChannels(filter));
  }
  addHostToChannel(hostname: string, channel: string, create?: boolean, force?: boolean): Promise<void> {
    return this.run(kojiCalls.addHostToChannel(hostname, channel, create, force));
  }
  removeHostFromChannel(hostname: string, channel: string): Promise<void> {
    return this.run(kojiCalls.removeHostFromChannel(hostname, channel));
  }
}

/**
 * kojixmlrpc.multiCall answers each call with a one-element array [result] or a struct
 * {faultCode, faultString[, traceback]}.
 */
function decodeEntry<T>(c: KojiCall<T>, entry: XmlRpcValue): MultiCallResult<T> {
  if (Array.isArray(entry) && entry.length === 1) {
    try {
      return { ok: true, value: c.decode(entry[0] ?? null, c.method) };
    } catch (err) {
      if (err instanceof KojiProtocolError) return { ok: false, error: err };
      throw err;
    }
  }
  if (entry !== null && typeof entry === 'object' && !Array.isArray(entry) && 'faultCode' in entry) {
    const s = entry as Record<string, XmlRpcValue>;
    const code = typeof s.faultCode === 'bigint' ? Number(s.faultCode) : s.faultCode;
    if (typeof code === 'number') {
      return { ok: false, error: faultFromCode(code, String(s.faultString ?? ''), c.method) };
    }
  }
  return { ok: false, error: new KojiProtocolError(`multiCall: malformed result for ${c.method}`) };
}
