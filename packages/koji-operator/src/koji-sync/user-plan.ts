// What to change in koji so a user's direct permissions equal the wanted ones: pure, so the
// decision is tested apart from the hub.
export interface PermissionPlan {
  grant: { permission: string; create: boolean }[];
  revoke: string[];
  /** Wanted, unknown to koji, and not to be created: reported, never granted. */
  unknown: string[];
}

export type PermissionMode =
  /** Exactly the wanted set (KojiUser): extra grants are revoked. */
  | 'exact'
  /** At least the wanted set (service users): grants someone else made are left alone. */
  | 'at-least';

export function planPermissions(input: {
  wanted: readonly string[];
  /** The user's direct grants, as getUserPerms(name, with_groups=false) reports them. */
  current: readonly string[];
  /** Every permission koji knows (getAllPerms). */
  known: ReadonlySet<string>;
  createUnknown: boolean;
  mode: PermissionMode;
}): PermissionPlan {
  const wanted = [...new Set(input.wanted)].sort();
  const current = new Set(input.current);
  const plan: PermissionPlan = { grant: [], revoke: [], unknown: [] };
  for (const permission of wanted) {
    if (current.has(permission)) continue;
    if (input.known.has(permission)) plan.grant.push({ permission, create: false });
    else if (input.createUnknown) plan.grant.push({ permission, create: true });
    else plan.unknown.push(permission);
  }
  if (input.mode === 'exact') {
    const want = new Set(wanted);
    plan.revoke = [...current].filter((p) => !want.has(p)).sort();
  }
  return plan;
}
