import 'reflect-metadata';
import { RBAC_METADATA } from './metadata-keys.js';
import type { PolicyRule } from './options.js';

/**
 * A permission the controller's handlers need beyond what the other decorators imply (own
 * kind, @Owns, @Watches, related kinds, Events): say, creating Secrets through ctx.client.
 * `fedora-operator generate rbac` adds it to the ClusterRole. Repeatable. Records metadata only.
 */
export function RbacRule(rule: PolicyRule): ClassDecorator {
  return (target) => {
    const existing: PolicyRule[] = Reflect.getOwnMetadata(RBAC_METADATA, target) ?? [];
    Reflect.defineMetadata(RBAC_METADATA, [...existing, rule], target);
  };
}
