// One typed description per koji hub method the operator uses: its name, how its arguments go
// on the wire, and how its result is checked. KojiClient runs them one by one; multiCall
// batches them. Describing a call as data is what lets both share one definition.
//
// Checked against koji-project/koji at commit 2083513a (koji 1.35.3 + master), kojihub/kojihub.py
// class RootExports (signatures quoted per method below) and kojihub/auth.py. Required
// arguments go positionally; optional ones as keyword arguments (koji's `__starstar` struct),
// only when given, so the hub's own defaults apply otherwise — the way koji's CLI calls them.
import { KojiProtocolError } from './faults.js';
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
import type { KwArgs, XmlRpcValue } from './wire.js';

/** A prepared hub call and the check that turns its raw result into T. */
export interface KojiCall<T> {
  readonly method: string;
  readonly args: readonly unknown[];
  readonly kwargs?: KwArgs;
  readonly decode: (value: XmlRpcValue, method: string) => T;
}

// ---- result checks: cheap shape checks, so a wrong answer fails here and not deep in a handler ----

function bad(method: string, what: string): never {
  throw new KojiProtocolError(`${method}: expected ${what} from the hub`);
}

const asVoid = (_v: XmlRpcValue): void => undefined; // void methods return <nil/>
const asBoolean = (v: XmlRpcValue, m: string): boolean => (typeof v === 'boolean' ? v : bad(m, 'a boolean'));
const asInt = (v: XmlRpcValue, m: string): number =>
  typeof v === 'number' && Number.isInteger(v) ? v : bad(m, 'an integer');
const asString = (v: XmlRpcValue, m: string): string => (typeof v === 'string' ? v : bad(m, 'a string'));
const asStringArray = (v: XmlRpcValue, m: string): string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : bad(m, 'a list of strings');

function isStruct(v: XmlRpcValue): v is Record<string, XmlRpcValue> {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date) && !Buffer.isBuffer(v)
  );
}

/** A struct with at least the given keys (values are typed by koji's schema, see types.ts). */
function struct<T>(keys: readonly string[]) {
  return (v: XmlRpcValue, m: string): T => {
    if (!isStruct(v)) return bad(m, 'a struct');
    for (const k of keys) if (!(k in v)) bad(m, `a struct with '${k}'`);
    return v as unknown as T;
  };
}
function orNull<T>(f: (v: XmlRpcValue, m: string) => T) {
  return (v: XmlRpcValue, m: string): T | null => (v === null ? null : f(v, m));
}
function listOf<T>(f: (v: XmlRpcValue, m: string) => T) {
  return (v: XmlRpcValue, m: string): T[] => (Array.isArray(v) ? v.map((x) => f(x, m)) : bad(m, 'a list'));
}

const USER_KEYS = ['id', 'name', 'status', 'usertype'] as const;
const HOST_KEYS = ['id', 'name', 'arches', 'capacity', 'enabled'] as const;
const asUser = struct<KojiUserInfo>(USER_KEYS);
const asLoggedInUser = struct<KojiLoggedInUser>([...USER_KEYS, 'authtype']);
const asHost = struct<KojiHost>(HOST_KEYS);
const asChannel = struct<KojiChannel>(['id', 'name']);
const asPerm = struct<KojiPermission>(['id', 'name']);

function call<T>(
  method: string,
  args: readonly unknown[],
  decode: (v: XmlRpcValue, m: string) => T,
  kwargs?: KwArgs,
): KojiCall<T> {
  return kwargs ? { method, args, kwargs, decode } : { method, args, decode };
}

/** Builders for every supported call; run them with KojiClient.run or KojiClient.multiCall. */
export const kojiCalls = {
  /** getAPIVersion() -> koji.API_VERSION (1). */
  getAPIVersion: () => call('getAPIVersion', [], asInt),
  /** getKojiVersion() -> e.g. "1.35.3". */
  getKojiVersion: () => call('getKojiVersion', [], asString),

  // ---- users ----
  /** getLoggedInUser() -> the session's user, or null when not logged in. */
  getLoggedInUser: () => call('getLoggedInUser', [], orNull(asLoggedInUser)),
  /** getUser(userInfo=None, strict=False, krb_princs=True, groups=False) -> user or null. */
  getUser: (user: UserRef, opts: { strict?: boolean; krbPrincs?: boolean; groups?: boolean } = {}) =>
    call('getUser', [user], orNull(asUser), {
      strict: opts.strict,
      krb_princs: opts.krbPrincs,
      groups: opts.groups,
    }),
  /** createUser(username, status=None, krb_principal=None) -> new user id. Needs admin. */
  createUser: (username: string, status?: UserStatus, krbPrincipal?: string) =>
    call('createUser', [username], asInt, { status, krb_principal: krbPrincipal }),
  /** enableUser(username): status NORMAL. Needs admin. */
  enableUser: (username: string) => call('enableUser', [username], asVoid),
  /** disableUser(username): status BLOCKED (koji cannot delete users). Needs admin. */
  disableUser: (username: string) => call('disableUser', [username], asVoid),

  // ---- permissions ----
  /**
   * getUserPerms(userID=None, with_groups=True) -> permission names. Pass withGroups=false to
   * sync grants: revokePermission only removes direct grants.
   */
  getUserPerms: (user?: UserRef, withGroups?: boolean) =>
    call('getUserPerms', user === undefined ? [] : [user], asStringArray, { with_groups: withGroups }),
  /** getAllPerms() -> every permission the hub knows. */
  getAllPerms: () => call('getAllPerms', [], listOf(asPerm)),
  /** getPerms() -> the session's own permissions. */
  getPerms: () => call('getPerms', [], asStringArray),
  /** hasPerm(perm, strict=False) -> whether the session has perm (or admin). */
  hasPerm: (perm: string, strict?: boolean) => call('hasPerm', [perm], asBoolean, { strict }),
  /**
   * grantPermission(userinfo, permission, create=False, description=None). create=true makes
   * an unknown permission; without it an unknown one fails "No such entry in table permissions".
   * Needs admin.
   */
  grantPermission: (user: UserRef, permission: string, create?: boolean, description?: string) =>
    call('grantPermission', [user, permission], asVoid, { create, description }),
  /** revokePermission(userinfo, permission). Needs admin. */
  revokePermission: (user: UserRef, permission: string) =>
    call('revokePermission', [user, permission], asVoid),

  // ---- hosts ----
  /** getHost(hostInfo, strict=False, event=None) -> host or null. */
  getHost: (host: HostRef, opts: { strict?: boolean; event?: number } = {}) =>
    call('getHost', [host], orNull(asHost), { strict: opts.strict, event: opts.event }),
  /**
   * addHost(hostname, arches, krb_principal=None, force=False) -> new host id. Also creates the
   * HOST user and puts the host in the `default` channel; force turns an existing NORMAL user of
   * that name into the host user. Needs host.
   */
  addHost: (hostname: string, arches: readonly string[], krbPrincipal?: string, force?: boolean) =>
    call('addHost', [hostname, [...arches]], asInt, { krb_principal: krbPrincipal, force }),
  /**
   * editHost(hostInfo, **kw) -> whether anything changed. koji's edit_host reads only arches,
   * capacity, description and comment (there is no rename). Needs host.
   */
  editHost: (host: HostRef, changes: EditHostChanges) =>
    call('editHost', [host], asBoolean, {
      arches:
        typeof changes.arches === 'string' || changes.arches === undefined
          ? changes.arches
          : changes.arches.join(' '),
      capacity: changes.capacity,
      description: changes.description,
      comment: changes.comment,
    }),
  /** listHosts(arches=None, channelID=None, ready=None, enabled=None, userID=None, queryOpts=None). */
  listHosts: (filter: ListHostsFilter = {}) =>
    call('listHosts', [], listOf(asHost), {
      arches: filter.arches ? [...filter.arches] : undefined,
      channelID: filter.channelID,
      ready: filter.ready,
      enabled: filter.enabled,
      userID: filter.userID,
    }),
  /** enableHost(hostname). Needs host. */
  enableHost: (hostname: string) => call('enableHost', [hostname], asVoid),
  /** disableHost(hostname): koji cannot delete hosts. Needs host. */
  disableHost: (hostname: string) => call('disableHost', [hostname], asVoid),

  // ---- channels ----
  /** listChannels(hostID=None, event=None, enabled=None); hostID may be a host name. */
  listChannels: (filter: ListChannelsFilter = {}) =>
    call('listChannels', [], listOf(asChannel), {
      hostID: filter.hostID,
      event: filter.event,
      enabled: filter.enabled,
    }),
  /**
   * addHostToChannel(hostname, channel_name, create=False, force=False). create=true makes a
   * missing channel; force adds to a disabled channel. Needs host.
   */
  addHostToChannel: (hostname: string, channel: string, create?: boolean, force?: boolean) =>
    call('addHostToChannel', [hostname, channel], asVoid, { create, force }),
  /** removeHostFromChannel(hostname, channel_name). Needs host. */
  removeHostFromChannel: (hostname: string, channel: string) =>
    call('removeHostFromChannel', [hostname, channel], asVoid),
};
