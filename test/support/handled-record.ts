// Where the framework keeps the record of a handled change, with the default storage prefix:
// a field of the status (custom resources with a status subresource) or annotations (other
// kinds, a status schema that drops the field, objects an older version recorded).
import type { KubeObject } from '../../packages/framework/src/kube/object.ts';

export const RECORD_FIELD = 'operators.fedoraproject.org';
export const DIFF_BASE_ANNOTATION = `${RECORD_FIELD}/last-handled-configuration`;

/** The stored diff-base of `object`, wherever it is kept; undefined if none. */
export function storedDiffBase(object: KubeObject | undefined): string | undefined {
  const inStatus = (object?.status as Record<string, Record<string, string> | undefined> | undefined)?.[
    RECORD_FIELD
  ]?.['last-handled-configuration'];
  return inStatus ?? object?.metadata.annotations?.[DIFF_BASE_ANNOTATION];
}
