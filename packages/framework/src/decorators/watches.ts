import 'reflect-metadata';
import type { KubeObject } from '../kube/object.js';
import { WATCHES_METADATA } from './metadata-keys.js';
import type { WatchesOptions } from './options.js';

/**
 * The controller's objects depend on objects of another kind that neither they own nor name
 * (e.g. every KojiWeb of a namespace feeds its KojiHub's config): a change of one wakes the
 * @Reconcile handlers of the objects `map` returns, like controller-runtime's Watches with a
 * map function. Repeatable. Records metadata only.
 */
export function Watches<T extends KubeObject = KubeObject>(options: WatchesOptions<T>): ClassDecorator {
  return (target) => {
    const existing: WatchesOptions[] = Reflect.getOwnMetadata(WATCHES_METADATA, target) ?? [];
    Reflect.defineMetadata(WATCHES_METADATA, [...existing, options], target);
  };
}
