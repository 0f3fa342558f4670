// Posts Kubernetes Events (events.k8s.io/v1) about objects, so handler outcomes are visible
// with `kubectl describe` / `kubectl events`, not only in the operator's log.
import { randomBytes } from 'node:crypto';
import type { KubeClient } from './client.js';
import type { KubeObject } from './object.js';
import { CoreResources } from './resource.js';

export interface EventInput {
  type: 'Normal' | 'Warning';
  reason: string;
  action: string;
  note: string;
}

export class EventRecorder {
  constructor(
    private readonly client: KubeClient,
    private readonly controller: string,
    private readonly instance: string,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** Never throws: an Event that cannot be posted must not fail the handler it reports on. */
  async post(regarding: KubeObject, event: EventInput): Promise<void> {
    const namespace = regarding.metadata.namespace ?? 'default';
    const now = new Date().toISOString().replace(/Z$/, '000Z'); // MicroTime: microseconds
    try {
      await this.client.create(CoreResources.event, {
        metadata: { name: `${regarding.metadata.name}.${randomBytes(6).toString('hex')}`, namespace },
        eventTime: now,
        type: event.type,
        reason: event.reason,
        action: event.action,
        note: event.note.slice(0, 1000),
        reportingController: this.controller,
        reportingInstance: this.instance.slice(0, 128),
        regarding: {
          apiVersion: regarding.apiVersion,
          kind: regarding.kind,
          name: regarding.metadata.name,
          namespace: regarding.metadata.namespace,
          uid: regarding.metadata.uid,
          resourceVersion: regarding.metadata.resourceVersion,
        },
      });
    } catch (error) {
      this.onError(error);
    }
  }
}
