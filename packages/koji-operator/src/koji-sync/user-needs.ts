// One owner per koji user. A KojiUser keeps its user's permissions exactly as listed, while
// kojira needs `repo` on its user, kojiweb needs its user enabled, and the operator needs
// `admin` on its own identity. Rather than two controllers fighting over one user, a KojiUser
// wants the union of its list and what the namespace's components need, and says which
// permissions come from whom. Pure, so the decision is tested apart from koji.
import type { WantedUser } from './users.js';

/** What one component needs of a koji user. */
export interface UserNeed {
  username: string;
  permissions: readonly string[];
  /** Who needs it, for status and messages, e.g. "Kojira kojira". */
  by: string;
}

export interface MergedUser {
  wanted: WantedUser['permissions'];
  /** "repo (Kojira kojira)" for each permission some component needs, and "enabled (KojiWeb x)". */
  neededBy: string[];
  /** Permissions a component needs that the KojiUser does not list (kept anyway). */
  addedByNeeds: string[];
  /** The user is the operator's own admin identity and the KojiUser does not list admin. */
  adminKept: boolean;
}

export const adminPermission = 'admin';

/** The needs of the namespace's components that concern `username`. */
export function needsOf(
  username: string,
  needs: readonly UserNeed[],
  adminUser: string | undefined,
): UserNeed[] {
  const own = needs.filter((n) => n.username === username);
  if (adminUser === username)
    own.push({ username, permissions: [adminPermission], by: "the operator's own admin identity" });
  return own;
}

/** A KojiUser's list merged with what components need of the same user. */
export function mergeWithNeeds(listed: readonly string[], needs: readonly UserNeed[]): MergedUser {
  const listedSet = new Set(listed);
  const wanted = new Set(listed);
  const neededBy: string[] = [];
  for (const need of needs) {
    if (need.permissions.length === 0) neededBy.push(`enabled (${need.by})`);
    for (const permission of need.permissions) {
      wanted.add(permission);
      neededBy.push(`${permission} (${need.by})`);
    }
  }
  const addedByNeeds = [...wanted].filter((p) => !listedSet.has(p)).sort();
  return {
    wanted: [...wanted].sort(),
    neededBy: [...new Set(neededBy)].sort(),
    addedByNeeds,
    adminKept: addedByNeeds.includes(adminPermission),
  };
}
