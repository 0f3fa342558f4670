// Koji faults as typed errors, and the errors of the transport itself.
//
// Checked against koji-project/koji at commit 2083513a (koji 1.35.3 + master, July 2025):
// koji/__init__.py (the exception classes, their faultCode values and convertFault) and
// kojihub/kojihub.py (the exact fault strings matched by isAlreadyExists/isNotFound below).
//
// The class tree mirrors koji's own (AuthExpired is an AuthError, ServerOffline a GenericError,
// ...), so `instanceof AuthError` means what `except koji.AuthError` means in Python. Like
// koji.convertFault, a code that no class claims stays a plain KojiFault: the hub sends code 1
// for non-koji Python exceptions.

/** Any fault the hub answered with: the call reached koji and koji refused it. */
export class KojiFault extends Error {
  constructor(
    readonly faultCode: number,
    readonly faultString: string,
    /** The XML-RPC method that failed, for messages; never the arguments (they may be secret). */
    readonly method?: string,
  ) {
    super(
      method
        ? `${method}: ${faultString} (koji fault ${faultCode})`
        : `${faultString} (koji fault ${faultCode})`,
    );
    this.name = new.target.name;
  }
}

// One class per code in koji/__init__.py. Codes are static so the table below can be built
// from the classes themselves and cannot drift from them.
export class GenericError extends KojiFault {
  static readonly code: number = 1000;
}
export class LockError extends GenericError {
  static override readonly code: number = 1001;
}
export class AuthError extends GenericError {
  static override readonly code: number = 1002;
}
export class TagError extends GenericError {
  static override readonly code: number = 1003;
}
export class ActionNotAllowed extends GenericError {
  static override readonly code: number = 1004;
}
export class BuildError extends GenericError {
  static override readonly code: number = 1005;
}
export class AuthLockError extends AuthError {
  static override readonly code: number = 1006;
}
export class AuthExpired extends AuthError {
  static override readonly code: number = 1007;
}
export class SequenceError extends AuthError {
  static override readonly code: number = 1008;
}
export class RetryError extends AuthError {
  static override readonly code: number = 1009;
}
export class PreBuildError extends BuildError {
  static override readonly code: number = 1010;
}
export class PostBuildError extends BuildError {
  static override readonly code: number = 1011;
}
export class BuildrootError extends BuildError {
  static override readonly code: number = 1012;
}
export class FunctionDeprecated extends GenericError {
  static override readonly code: number = 1013;
}
export class ServerOffline extends GenericError {
  static override readonly code: number = 1014;
}
export class LiveCDError extends GenericError {
  static override readonly code: number = 1015;
}
export class PluginError extends GenericError {
  static override readonly code: number = 1016;
}
export class CallbackError extends PluginError {
  static override readonly code: number = 1017;
}
export class ApplianceError extends GenericError {
  static override readonly code: number = 1018;
}
export class ParameterError extends GenericError {
  static override readonly code: number = 1019;
}
/** koji's `ImportError` (named so here to avoid confusion with JS import failures). */
export class KojiImportError extends GenericError {
  static override readonly code: number = 1020;
}
export class ConfigurationError extends GenericError {
  static override readonly code: number = 1021;
}
export class LiveMediaError extends GenericError {
  static override readonly code: number = 1022;
}
export class GSSAPIAuthError extends AuthError {
  static override readonly code: number = 1023;
}
export class NameValidationError extends GenericError {
  static override readonly code: number = 1024;
}

/** The numeric codes, for callers that switch on `faultCode`. */
export const FaultCode = {
  GenericError: 1000,
  LockError: 1001,
  AuthError: 1002,
  TagError: 1003,
  ActionNotAllowed: 1004,
  BuildError: 1005,
  AuthLockError: 1006,
  AuthExpired: 1007,
  SequenceError: 1008,
  RetryError: 1009,
  PreBuildError: 1010,
  PostBuildError: 1011,
  BuildrootError: 1012,
  FunctionDeprecated: 1013,
  ServerOffline: 1014,
  LiveCDError: 1015,
  PluginError: 1016,
  CallbackError: 1017,
  ApplianceError: 1018,
  ParameterError: 1019,
  ImportError: 1020,
  ConfigurationError: 1021,
  LiveMediaError: 1022,
  GSSAPIAuthError: 1023,
  NameValidationError: 1024,
} as const;

type FaultClass = { new (faultCode: number, faultString: string, method?: string): KojiFault; code: number };

const FAULT_CLASSES: readonly FaultClass[] = [
  GenericError,
  LockError,
  AuthError,
  TagError,
  ActionNotAllowed,
  BuildError,
  AuthLockError,
  AuthExpired,
  SequenceError,
  RetryError,
  PreBuildError,
  PostBuildError,
  BuildrootError,
  FunctionDeprecated,
  ServerOffline,
  LiveCDError,
  PluginError,
  CallbackError,
  ApplianceError,
  ParameterError,
  KojiImportError,
  ConfigurationError,
  LiveMediaError,
  GSSAPIAuthError,
  NameValidationError,
];

const BY_CODE = new Map<number, FaultClass>(FAULT_CLASSES.map((c) => [c.code, c]));

/** The typed error for a fault, like koji.convertFault: unknown codes give a plain KojiFault. */
export function faultFromCode(faultCode: number, faultString: string, method?: string): KojiFault {
  const cls = BY_CODE.get(faultCode);
  return cls ? new cls(faultCode, faultString, method) : new KojiFault(faultCode, faultString, method);
}

// Most "it is already there" / "it is not there" conditions are GenericError 1000 with only a
// message, so the text is all a caller has. These are the strings kojihub.py raises for the
// users, permissions, hosts and channels the operator manages (see koji.md §1 for the ones
// verified on a real hub). Handlers should still check before they act; these helpers are for
// the race where someone else acted in between.
const ALREADY_EXISTS = [
  /^user already exists: /, // createUser
  /^user with this Kerberos principal already exists: /, // createUser, addUserKrbPrincipal
  /^host already exists: /, // addHost
  /^user \S+ already exists and it is not a host$/, // addHost without force
  /^user \S+ already has permission: /, // grantPermission
  /^host \S+ is already subscribed to the \S+ channel$/, // addHostToChannel
  /^channel \S+ already exists \(id=\d+\)$/, // addChannel, renameChannel
  /^user\/group already exists: /, // newGroup
  /^Name \S+ already taken by user /, // editUser
];
const NOT_FOUND = [
  /^No such user: /, // getUser(strict), getUserPerms, grantPermission, ...
  /^No such entry in table \S+: /, // lookup_perm(strict): unknown permission without create
  /^host does not exist: /, // enableHost, disableHost, addHostToChannel, ...
  /^channel does not exist: /, // addHostToChannel without create, removeHostFromChannel
  /^Invalid hostInfo: /, // getHost(strict), editHost
  /^user \S+ does not have permission: /, // revokePermission
  /^host \S+ is not subscribed to the \S+ channel$/, // removeHostFromChannel
  /^No such channel: /,
];

/** A koji faultString may carry a traceback when the hub runs with KojiDebug: match the last line. */
function lastLine(s: string): string {
  const lines = s.trimEnd().split('\n');
  const last = lines[lines.length - 1] ?? '';
  // A traceback's last line is "koji.GenericError: <message>".
  return last.replace(/^koji\.\w+: /, '');
}

function isGenericWith(err: unknown, patterns: readonly RegExp[]): boolean {
  if (!(err instanceof KojiFault) || err.faultCode !== FaultCode.GenericError) return false;
  const text = lastLine(err.faultString);
  return patterns.some((p) => p.test(text));
}

/** True when the fault says the object (user, host, grant, channel membership) already exists. */
export function isAlreadyExists(err: unknown): boolean {
  return isGenericWith(err, ALREADY_EXISTS);
}

/** True when the fault says the user, host, permission, channel or grant does not exist. */
export function isNotFound(err: unknown): boolean {
  return isGenericWith(err, NOT_FOUND);
}

// ---- errors of the transport, not of koji ----

export type HubUnavailableReason = 'server-offline' | 'connection' | 'timeout' | 'http-status';

/**
 * The hub cannot answer now: it is starting or its database is down (fault 1014 ServerOffline,
 * sent as HTTP 200 by kojixmlrpc.offline_reply), nothing listens, the connection broke, the call
 * timed out, or a proxy in front of it answered 502/503/504. Controllers report this as
 * `HubUnavailable` and try again later; it is not a verdict on the request itself.
 */
export class HubUnavailableError extends Error {
  /** For 'server-offline': koji's code and message, so logs show "database outage" etc. */
  readonly faultCode?: number;
  readonly faultString?: string;
  constructor(
    readonly reason: HubUnavailableReason,
    message: string,
    options?: { cause?: unknown; faultCode?: number; faultString?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HubUnavailableError';
    if (options?.faultCode !== undefined) this.faultCode = options.faultCode;
    if (options?.faultString !== undefined) this.faultString = options.faultString;
  }
}

/**
 * TLS failed in a way retrying cannot fix: the hub's certificate is not signed by the given CA,
 * does not match the host name, has expired, or the client key and certificate do not match.
 * Kept apart from HubUnavailableError because it is a configuration problem (koji's own client
 * also refuses to retry these: koji.is_requests_cert_error).
 */
export class KojiTlsError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KojiTlsError';
  }
}

/** An HTTP status other than 200 that does not mean "hub down" (e.g. 403 from mod_ssl, 405). */
export class KojiHttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'KojiHttpError';
  }
}

/** The hub answered 200 with something that is not a valid XML-RPC response. */
export class KojiProtocolError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KojiProtocolError';
  }
}

/** True for every error that means "the hub is not reachable or not ready": report HubUnavailable. */
export function isHubUnavailable(err: unknown): boolean {
  return err instanceof HubUnavailableError || err instanceof ServerOffline;
}
