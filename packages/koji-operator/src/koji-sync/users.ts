// Keeps a koji user as wanted, level-based: every step reads koji's state before it acts, so a
// run can be repeated or interrupted at any point. Koji answers "already exists" and "not there"
// only as GenericError texts, so a race with someone else acting in between is tolerated with
// isAlreadyExists / isNotFound rather than failing the run.
import {
  GenericError,
  UserStatus,
  UserType,
  isAlreadyExists,
  isNotFound,
  type KojiClient,
  type KojiUserInfo,
} from '../koji/index.js';
import { planPermissions, type PermissionMode } from './user-plan.js';

export interface WantedUser {
  name: string;
  permissions: readonly string[];
  krbPrincipal?: string;
  /** Create a wanted permission koji does not know yet (grantPermission create=True). */
  createUnknownPermissions?: boolean;
  mode?: PermissionMode;
}

export interface UserState {
  id: number;
  name: string;
  enabled: boolean;
  /** Direct grants as koji reports them after the run, sorted. */
  permissions: string[];
  /** Wanted permissions koji does not know and that were not created. */
  unknownPermissions: string[];
  /** What this run changed, for logs and Events. */
  changes: string[];
}

/** The user exists but is a host or a group: a KojiUser cannot take it over. */
export class NotANormalUserError extends Error {
  constructor(readonly user: KojiUserInfo) {
    super(
      `koji user ${user.name} exists as a ${user.usertype === UserType.HOST ? 'build host' : 'group'}, not a normal user`,
    );
    this.name = 'NotANormalUserError';
  }
}

async function ignoring<T>(call: Promise<T>, benign: (e: unknown) => boolean): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!benign(error)) throw error;
  }
}

/** getUser -> createUser -> enableUser -> grant/revoke the difference; returns koji's state after. */
export async function syncUser(client: KojiClient, wanted: WantedUser): Promise<UserState> {
  const changes: string[] = [];
  let user = await client.getUser(wanted.name);
  if (!user) {
    await ignoring(client.createUser(wanted.name, undefined, wanted.krbPrincipal), isAlreadyExists);
    changes.push('created');
    user = await client.getUser(wanted.name, { strict: true });
    if (!user) throw new GenericError(1000, `No such user: ${wanted.name}`, 'getUser');
  }
  if (user.usertype !== null && user.usertype !== UserType.NORMAL) throw new NotANormalUserError(user);
  if (user.status !== UserStatus.NORMAL) {
    await client.enableUser(wanted.name);
    changes.push('enabled');
  }

  // with_groups=false: revokePermission removes only direct grants, so only those are diffed.
  const current = await client.getUserPerms(wanted.name, false);
  const needsCatalogue = wanted.permissions.some((p) => !current.includes(p));
  const known = needsCatalogue ? new Set((await client.getAllPerms()).map((p) => p.name)) : new Set<string>();
  const plan = planPermissions({
    wanted: wanted.permissions,
    current,
    known,
    createUnknown: wanted.createUnknownPermissions ?? false,
    mode: wanted.mode ?? 'exact',
  });
  for (const { permission, create } of plan.grant) {
    await ignoring(client.grantPermission(wanted.name, permission, create || undefined), isAlreadyExists);
    changes.push(`granted ${permission}`);
  }
  for (const permission of plan.revoke) {
    await ignoring(client.revokePermission(wanted.name, permission), isNotFound);
    changes.push(`revoked ${permission}`);
  }
  const permissions =
    plan.grant.length || plan.revoke.length ? await client.getUserPerms(wanted.name, false) : current;
  return {
    id: user.id,
    name: user.name,
    enabled: true,
    permissions: [...permissions].sort(),
    unknownPermissions: plan.unknown,
    changes,
  };
}

/** Koji cannot delete users: disable it (a missing user is fine, there is nothing to stop). */
export async function disableUser(
  client: KojiClient,
  name: string,
): Promise<'disabled' | 'absent' | 'already-disabled'> {
  const user = await client.getUser(name);
  if (!user) return 'absent';
  if (user.status === UserStatus.BLOCKED) return 'already-disabled';
  await client.disableUser(name);
  return 'disabled';
}
