// The structs and enums koji's hub returns for users, permissions, hosts and channels, with
// koji's own (snake_case) field names so they match the wire and koji's docs one to one.
//
// Checked against koji-project/koji at commit 2083513a (koji 1.35.3 + master): the enums in
// koji/__init__.py (USERTYPES, USER_STATUS, AUTHTYPES) and the column lists of kojihub.py
// get_user, RootExports.getLoggedInUser, getAllPerms, get_host / listHosts, list_channels.

/** koji.USER_STATUS: BLOCKED users cannot log in (disableUser sets it, enableUser clears it). */
export const UserStatus = { NORMAL: 0, BLOCKED: 1 } as const;
export type UserStatus = (typeof UserStatus)[keyof typeof UserStatus];

/** koji.USERTYPES: addHost creates a HOST user named after the host; groups are users too. */
export const UserType = { NORMAL: 0, HOST: 1, GROUP: 2 } as const;
export type UserType = (typeof UserType)[keyof typeof UserType];

/** koji.AUTHTYPES: how the current session logged in (sslLogin gives SSL). */
export const AuthType = { NORMAL: 0, KERBEROS: 1, SSL: 2, GSSAPI: 3 } as const;
export type AuthType = (typeof AuthType)[keyof typeof AuthType];

/**
 * How koji methods name a user (get_user's userInfo): a string is the name *or* a Kerberos
 * principal, a number is the id, a struct matches on the fields given.
 */
export type UserRef = string | number | { id?: number; name?: string; krb_principal?: string };

/** How koji methods name a host (get_host's hostInfo): its name or its id. */
export type HostRef = string | number;

/** get_user's result. status and usertype are nullable columns in koji's schema. */
export interface KojiUserInfo {
  id: number;
  name: string;
  status: UserStatus | null;
  usertype: UserType | null;
  /** Present unless getUser was called with krb_princs=false. */
  krb_principals?: string[];
  /** Group names; present only when getUser was called with groups=true. */
  groups?: string[];
}

/** getLoggedInUser: getUser's dict plus the session's authtype and a first krb principal. */
export interface KojiLoggedInUser extends KojiUserInfo {
  authtype: AuthType;
  krb_principal: string | null;
}

/** getAllPerms entries. */
export interface KojiPermission {
  id: number;
  name: string;
  description: string | null;
}

/** get_host / listHosts entries. */
export interface KojiHost {
  id: number;
  user_id: number;
  name: string;
  /** Epoch seconds of the host's last check-in; null if it never checked in. */
  update_ts: number | null;
  ready: boolean;
  task_load: number;
  /** Space-separated, e.g. "x86_64 noarch" (addHost takes a list, editHost a string). */
  arches: string;
  /** The hub's schema requires capacity > 1 (default 2.0). */
  capacity: number;
  description: string | null;
  comment: string | null;
  enabled: boolean;
}

/** list_channels entries. */
export interface KojiChannel {
  id: number;
  name: string;
  description: string | null;
  enabled: boolean;
  comment: string | null;
}

/** editHost's fields (kojihub.edit_host reads only these four; other keys are silently ignored). */
export interface EditHostChanges {
  /** A list is joined with spaces, the form editHost stores. */
  arches?: string | readonly string[];
  capacity?: number;
  description?: string;
  comment?: string;
}

/** listHosts filters; all optional. */
export interface ListHostsFilter {
  arches?: readonly string[];
  /** A channel name or id. */
  channelID?: string | number;
  ready?: boolean;
  enabled?: boolean;
  /** The host's user, by name or id. */
  userID?: string | number;
}

/** listChannels filters; all optional. */
export interface ListChannelsFilter {
  /** A host name or id: only that host's channels. */
  hostID?: HostRef;
  event?: number;
  enabled?: boolean;
}
