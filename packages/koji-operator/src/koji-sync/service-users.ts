// The koji users the operator's own components log in as: kojira (it queues repo tasks, which
// needs `repo`) and kojiweb (it proxies users; its certificate's DN is in ProxyDNs, which
// config/hub-conf.ts writes). They are created like KojiUsers, but only ensured to have what
// the component needs: a permission an admin granted them on top is left alone.
import type { KojiWeb } from '../api/koji-web.js';
import type { Kojira } from '../api/kojira.js';
import type { KojiClient } from '../koji/index.js';
import { syncUser, type UserState, type WantedUser } from './users.js';

export const kojiraUser = (kojira: Kojira): WantedUser => ({
  name: kojira.spec?.hub_username ?? 'kojira',
  permissions: ['repo'],
  mode: 'at-least',
});

export const kojiWebUser = (web: KojiWeb): WantedUser => ({
  name: web.spec?.client_username ?? 'kojiweb',
  permissions: [],
  mode: 'at-least',
});

/** Makes sure the service user exists, is enabled and has its permissions. */
export function ensureServiceUser(client: KojiClient, user: WantedUser): Promise<UserState> {
  return syncUser(client, { ...user, mode: 'at-least' });
}
