// Fault codes map to the classes koji/__init__.py defines, with koji's class tree, and the
// GenericError message helpers recognise the strings a real hub sends (koji.md §1 "Faults").
import {
  ActionNotAllowed,
  AuthError,
  AuthExpired,
  AuthLockError,
  ConfigurationError,
  FaultCode,
  GenericError,
  GSSAPIAuthError,
  HubUnavailableError,
  KojiFault,
  LockError,
  NameValidationError,
  ParameterError,
  RetryError,
  SequenceError,
  ServerOffline,
  faultFromCode,
  isAlreadyExists,
  isHubUnavailable,
  isNotFound,
} from './faults.js';

describe('faultFromCode', () => {
  it.each([
    [1000, GenericError],
    [1001, LockError],
    [1002, AuthError],
    [1004, ActionNotAllowed],
    [1006, AuthLockError],
    [1007, AuthExpired],
    [1008, SequenceError],
    [1009, RetryError],
    [1014, ServerOffline],
    [1019, ParameterError],
    [1021, ConfigurationError],
    [1023, GSSAPIAuthError],
    [1024, NameValidationError],
  ])('maps %i to its class, keeping code and string', (code, cls) => {
    const err = faultFromCode(code, 'message', 'someMethod');
    expect(err).toBeInstanceOf(cls);
    expect(err).toBeInstanceOf(KojiFault);
    expect(err).toBeInstanceOf(Error);
    expect(err.faultCode).toBe(code);
    expect(err.faultString).toBe('message');
    expect(err.method).toBe('someMethod');
    expect(err.name).toBe(cls.name);
    expect(err.message).toContain('message');
  });

  it('has a class for every code in FaultCode', () => {
    for (const [name, code] of Object.entries(FaultCode)) {
      const err = faultFromCode(code, 'x');
      expect(err.constructor).not.toBe(KojiFault);
      expect(err.name.replace(/^Koji/, '')).toBe(name);
    }
  });

  it('keeps koji class tree: AuthExpired and friends are AuthErrors, all are GenericErrors', () => {
    for (const code of [1006, 1007, 1008, 1009, 1023])
      expect(faultFromCode(code, '')).toBeInstanceOf(AuthError);
    expect(faultFromCode(1004, '')).not.toBeInstanceOf(AuthError);
    expect(faultFromCode(1014, '')).toBeInstanceOf(GenericError);
  });

  it('leaves unknown codes (1: a non-koji Python exception) as a plain KojiFault', () => {
    const err = faultFromCode(1, "<class 'TypeError'>: boom");
    expect(err.constructor).toBe(KojiFault);
    expect(err).not.toBeInstanceOf(GenericError);
    expect(err.faultCode).toBe(1);
  });
});

describe('isAlreadyExists / isNotFound', () => {
  const generic = (s: string) => faultFromCode(1000, s);

  it.each([
    'user already exists: alice',
    'host already exists: builder-0',
    'user alice already has permission: build',
    'host builder-0 is already subscribed to the default channel',
    'channel default already exists (id=1)',
    'user builder-0 already exists and it is not a host',
    'user with this Kerberos principal already exists: alice@EXAMPLE.COM',
  ])('"%s" is already-exists', (s) => {
    expect(isAlreadyExists(generic(s))).toBe(true);
    expect(isNotFound(generic(s))).toBe(false);
  });

  it.each([
    "No such user: 'x'",
    'No such entry in table permissions: nosuchperm',
    'host does not exist: builder-9',
    'channel does not exist: container',
    'Invalid hostInfo: builder-9',
    'user alice does not have permission: tag',
    'host builder-0 is not subscribed to the maven channel',
  ])('"%s" is not-found', (s) => {
    expect(isNotFound(generic(s))).toBe(true);
    expect(isAlreadyExists(generic(s))).toBe(false);
  });

  it('finds the message at the end of a KojiDebug traceback', () => {
    const tb =
      'Traceback (most recent call last):\n  File "x", line 1\nkoji.GenericError: user already exists: alice\n';
    expect(isAlreadyExists(generic(tb))).toBe(true);
  });

  it('is false for real errors, other codes and non-faults', () => {
    expect(isAlreadyExists(generic('Name bad name! does not match RegexUserName value'))).toBe(false);
    expect(isAlreadyExists(faultFromCode(1004, 'admin permission required (user already exists: x)'))).toBe(
      false,
    );
    expect(isAlreadyExists(faultFromCode(1024, 'user already exists: alice'))).toBe(false);
    expect(isAlreadyExists(new Error('user already exists: alice'))).toBe(false);
    expect(isNotFound(undefined)).toBe(false);
  });
});

describe('isHubUnavailable', () => {
  it('is true for HubUnavailableError and ServerOffline, false for other faults', () => {
    expect(isHubUnavailable(new HubUnavailableError('connection', 'down'))).toBe(true);
    expect(isHubUnavailable(faultFromCode(1014, 'database outage'))).toBe(true);
    expect(isHubUnavailable(faultFromCode(1002, 'Invalid session or bad credentials'))).toBe(false);
    expect(isHubUnavailable(new Error('x'))).toBe(false);
  });
});
