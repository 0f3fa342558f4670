// Where the framework keeps its record of a change on the object (the diff-base, the progress
// of the change being handled): in annotations (any kind) or in a field of the object's status
// (`status["<storage prefix>"]`, Kopf's status storage). With a status subresource, the status
// mode puts a handler's status and the record that its change was handled in ONE /status
// patch: half the writes per handled change, and no crash can fall between the two.
// The record's values are the same strings in both places, so the same size caps hold
// (diff-base copy capped, progress messages truncated).
// Reading looks in the configured place first, then in the other, so an object recorded the
// other way (by an older version, or before a fallback) is read and not handled again;
// writing a key also clears it from the other place.
// How it fails: a status schema that prunes the field (a CRD that does not declare it) shows
// on the first write, as the apiserver returns the object without it: `pruned()` says so, and
// the controller falls back to annotations for good (the caller writes the record there).
import type { KubeObject } from '../kube/object.js';
import type { ResourceRef } from '../kube/resource.js';
import type { PendingPatch } from './context.js';
import type { StorageKeys } from './progress.js';

export type StateStorageMode = 'annotations' | 'status';

/** The parts of the record that move with the storage mode. */
export type RecordKey = 'progress' | 'diffBase';

/** Changes to the record: a value to store, or null to remove it. */
export type RecordChanges = Partial<Record<RecordKey, string | null>>;

/** The status field that holds the record in the status mode, named by the storage prefix. */
export function statusStateField(prefix: string): string {
  return prefix;
}

/** Names of the record's entries inside the status field (the annotations' suffixes). */
const ENTRY: Record<RecordKey, string> = { progress: 'progress', diffBase: 'last-handled-configuration' };

/**
 * The mode a controller starts in: status where the kind has a status subresource of its own
 * schema (a custom resource), annotations elsewhere. Built-in kinds' typed status would drop
 * an unknown field (and ConfigMaps, Secrets have no status at all).
 */
export function defaultStorageMode(resource: ResourceRef, statusSubresource: boolean): StateStorageMode {
  const builtIn =
    resource.group === '' || !resource.group.includes('.') || resource.group.endsWith('.k8s.io');
  return statusSubresource && !builtIn ? 'status' : 'annotations';
}

export class StateStore {
  constructor(
    private readonly keys: StorageKeys,
    private currentMode: StateStorageMode,
    private readonly field: string,
  ) {}

  get mode(): StateStorageMode {
    return this.currentMode;
  }

  /** The stored value of `key`: from the configured place first, else from the other. */
  read(object: KubeObject, key: RecordKey): string | undefined {
    const inStatus = this.statusRecord(object)?.[ENTRY[key]];
    const inAnnotations = object.metadata.annotations?.[this.keys[key]];
    const [first, second] =
      this.currentMode === 'status' ? [inStatus, inAnnotations] : [inAnnotations, inStatus];
    const value = first ?? second;
    return typeof value === 'string' ? value : undefined;
  }

  /**
   * Puts `changes` into `patch`, in the configured place; clears what the other place holds
   * of them. Returns the place used (another run may fall back meanwhile).
   */
  put(object: KubeObject, patch: PendingPatch, changes: RecordChanges): StateStorageMode {
    const inStatus = this.statusRecord(object) ?? {};
    const annotations = object.metadata.annotations ?? {};
    const toStatus: Record<string, string | null> = {};
    for (const [key, value] of Object.entries(changes) as [RecordKey, string | null][]) {
      const [entry, annotation] = [ENTRY[key], this.keys[key]];
      if (this.currentMode === 'status') {
        toStatus[entry] = value;
        if (annotations[annotation] !== undefined) patch.metadata.annotations[annotation] = null;
      } else {
        patch.metadata.annotations[annotation] = value;
        if (inStatus[entry] !== undefined) toStatus[entry] = null;
      }
    }
    if (Object.keys(toStatus).length > 0) {
      const pending = (patch.status[this.field] ?? {}) as Record<string, string | null>;
      patch.status[this.field] = { ...pending, ...toStatus };
    }
    return this.currentMode;
  }

  /** Whether `written` lost values `changes` put into status (the schema pruned the field). */
  pruned(written: KubeObject, changes: RecordChanges, placed: StateStorageMode): boolean {
    if (placed !== 'status') return false;
    const stored = this.statusRecord(written);
    return (Object.entries(changes) as [RecordKey, string | null][]).some(
      ([key, value]) => value !== null && stored?.[ENTRY[key]] !== value,
    );
  }

  /** From now on, the record goes into annotations (the status schema does not keep it). */
  fallBack(): void {
    this.currentMode = 'annotations';
  }

  private statusRecord(object: KubeObject): Record<string, unknown> | undefined {
    const value = (object.status as Record<string, unknown> | undefined)?.[this.field];
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  }
}
