// What the namespace's components need of koji users (koji-sync/user-needs.ts decides what a
// KojiUser does with it): the active Kojira's user needs `repo`, each KojiWeb's user needs to
// be enabled. Builders' hosts are koji HOST users, which a KojiUser cannot name.
import type { HandlerContext } from '@fedora-operators/framework';
import type { KojiWeb } from '../api/index.js';
import { kojiraUser, kojiWebUser, type UserNeed } from '../koji-sync/index.js';
import { Resources } from '../manifests/index.js';
import { activeKojira } from './kojira.js';

export async function componentUserNeeds(ctx: HandlerContext<unknown, unknown>): Promise<UserNeed[]> {
  const needs: UserNeed[] = [];
  const kojira = await activeKojira(ctx.client, ctx.namespace);
  if (kojira) {
    const user = kojiraUser(kojira);
    needs.push({ username: user.name, permissions: user.permissions, by: `Kojira ${kojira.metadata.name}` });
  }
  const webs = await ctx.client.list<KojiWeb>(Resources.kojiWeb, ctx.namespace);
  for (const web of webs.items.filter((w) => !w.metadata.deletionTimestamp)) {
    const user = kojiWebUser(web);
    needs.push({ username: user.name, permissions: user.permissions, by: `KojiWeb ${web.metadata.name}` });
  }
  return needs;
}
