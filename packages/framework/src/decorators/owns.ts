import 'reflect-metadata';
import { OWNS_METADATA } from './metadata-keys.js';
import type { OwnsOptions } from './options.js';

/**
 * The controller owns children of this kind (ownerReferences to its objects): a change or
 * deletion of a child wakes the owner's @Reconcile handlers. Repeatable. Records metadata only.
 */
export function Owns(options: OwnsOptions): ClassDecorator {
  return (target) => {
    const existing: OwnsOptions[] = Reflect.getOwnMetadata(OWNS_METADATA, target) ?? [];
    Reflect.defineMetadata(OWNS_METADATA, [...existing, options], target);
  };
}
