// KojiUser: a user in Koji with exactly the listed permissions (plus what kojira, kojiweb and
// the operator itself need of the same user). Koji cannot delete users, so deleting the CR
// disables the user (unless it is still needed), and the user's name cannot change once it is set.
import type { KubeObject } from '@fedora-operators/framework';
import type { KindDefinition } from './definition.js';
import { objectName, stringList } from './fields.js';
import type { JSONSchemaProps } from './schema.js';
import { statusSchema, type CommonStatus } from './status.js';

// Koji's RegexUserName and MaxNameLengthInternal defaults (kojihub/kojixmlrpc.py config_map).
const userNamePattern = '^[A-Za-z0-9/_.@-]+$';

export const kojiUserName: JSONSchemaProps = {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  pattern: userNamePattern,
  'x-kubernetes-validations': [
    {
      rule: `self.matches('${userNamePattern}')`,
      message: "a Koji user name uses letters, digits and '/', '_', '.', '@', '-' only",
    },
  ],
};

// Koji's RegexNameInternal, which permission names must match.
const permissionPattern = '^[A-Za-z0-9/_.+-]+$';

export interface KojiUserSpec {
  username?: string;
  permissions?: string[];
  auth?: { ssl?: { client_secret_name: string; ca_secret_name: string } };
  krb_principal?: string;
  create_unknown_permissions?: boolean;
}

export interface KojiUserStatus extends CommonStatus {
  kojiUserId?: number;
  username?: string;
  permissions?: string[];
  enabled?: boolean;
  /** Permissions (or "enabled") other objects need of this user, e.g. "repo (Kojira kojira)". */
  neededBy?: string[];
}

export type KojiUser = KubeObject<KojiUserSpec, KojiUserStatus>;

/** The Koji user name a KojiUser stands for. */
export function effectiveUsername(user: KojiUser): string {
  const name = user.spec?.username ?? user.metadata.name;
  if (!name) throw new Error('a KojiUser needs spec.username or metadata.name');
  return name;
}

export const kojiUserDefinition: KindDefinition = {
  kind: 'KojiUser',
  plural: 'kojiusers',
  singular: 'kojiuser',
  shortNames: ['kuser'],
  description: 'A Koji user and its permissions, kept equal to this spec.',
  spec: {
    type: 'object',
    'x-kubernetes-validations': [
      {
        rule: 'has(self.username) == has(oldSelf.username) && (!has(self.username) || self.username == oldSelf.username)',
        message:
          'username cannot change: Koji cannot delete or rename users here; create another KojiUser instead',
      },
    ],
    properties: {
      username: { ...kojiUserName, description: 'Koji user name; defaults to metadata.name.' },
      permissions: {
        ...stringList('Permissions the user has, exactly (revoked when removed here).', {
          type: 'string',
          maxLength: 256,
          pattern: permissionPattern,
          'x-kubernetes-validations': [
            {
              rule: `self.matches('${permissionPattern}')`,
              message: "a permission name uses letters, digits and '/', '_', '.', '+', '-' only",
            },
          ],
        }),
        default: [],
      },
      auth: {
        type: 'object',
        description: 'How the user logs in; only ssl for now.',
        properties: {
          ssl: {
            type: 'object',
            required: ['client_secret_name', 'ca_secret_name'],
            properties: {
              client_secret_name: objectName(
                'Secret',
                "The user's client certificate; its CN must be the username.",
              ),
              ca_secret_name: objectName('Secret', 'The CA that signed it (key ca.crt).'),
            },
          },
        },
      },
      krb_principal: {
        type: 'string',
        maxLength: 256,
        description: 'Kerberos principal mapped to the user, e.g. alice@EXAMPLE.COM.',
        'x-kubernetes-validations': [
          {
            rule: "self.matches('^[^@ ]+@[^@ ]+$')",
            message: 'must be a Kerberos principal such as alice@EXAMPLE.COM',
          },
        ],
      },
      create_unknown_permissions: {
        type: 'boolean',
        default: false,
        description: 'Create a listed permission that Koji does not know yet (grantPermission create=True).',
      },
    },
  },
  status: statusSchema({
    kojiUserId: { type: 'integer', description: "The user's id in Koji." },
    username: { type: 'string' },
    permissions: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'atomic' },
    enabled: { type: 'boolean' },
    neededBy: {
      type: 'array',
      items: { type: 'string' },
      'x-kubernetes-list-type': 'atomic',
      description:
        'What other objects need of this koji user, e.g. "repo (Kojira kojira)": kept on top of permissions, and kept when this KojiUser is deleted.',
    },
  }),
  printerColumns: [
    { name: 'Username', type: 'string', jsonPath: '.status.username' },
    { name: 'ID', type: 'integer', jsonPath: '.status.kojiUserId' },
    { name: 'Permissions', type: 'string', jsonPath: '.spec.permissions', priority: 1 },
  ],
};
