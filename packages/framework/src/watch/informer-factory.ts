// The informers of one Operator, one per (resource, namespace, label selector): every
// controller and every related/@Owns/@Watches use of a kind in a namespace shares one watch
// and one cache. An informer lives while someone subscribes to it (see informer.ts).
import type { ResourceRef } from '../kube/resource.js';
import { Informer, type InformerContent, type InformerDeps, type InformerScope } from './informer.js';

export class InformerFactory {
  private readonly informers = new Map<string, Informer>();

  constructor(private readonly deps: Omit<InformerDeps, 'onIdle'>) {}

  /** The shared informer of this scope, holding at least `content`. */
  informer(scope: InformerScope, content: InformerContent = 'full'): Informer {
    const id = scopeId(scope);
    let informer = this.informers.get(id);
    if (!informer) {
      informer = new Informer(scope, content, {
        ...this.deps,
        onIdle: () => {
          if (this.informers.get(id) === informer) this.informers.delete(id);
        },
      });
      this.informers.set(id, informer);
    }
    informer.need(content);
    return informer;
  }

  /** The informer of this scope if one is held (for inspection: its cache and content form). */
  get(scope: InformerScope): Informer | undefined {
    return this.informers.get(scopeId(scope));
  }

  /** The informers currently known (subscribed or about to be). */
  get size(): number {
    return this.informers.size;
  }
}

function scopeId({ resource, namespace, labelSelector }: InformerScope): string {
  return [resourceId(resource), namespace ?? '', labelSelector ?? ''].join('|');
}

const resourceId = (r: ResourceRef) => `${r.group}/${r.version}/${r.plural}`;
