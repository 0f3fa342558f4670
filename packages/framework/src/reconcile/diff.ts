// A structural diff between two JSON values, as a list of leaf changes (Kopf's shape).
export type DiffOperation = 'add' | 'change' | 'remove';

export interface DiffItem {
  op: DiffOperation;
  path: string[];
  old: unknown;
  new: unknown;
}

export type Diff = readonly DiffItem[];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function diff(oldValue: unknown, newValue: unknown, path: string[] = []): Diff {
  if (isPlainObject(oldValue) && isPlainObject(newValue)) {
    const keys = [...new Set([...Object.keys(oldValue), ...Object.keys(newValue)])].sort();
    return keys.flatMap((key) => diff(oldValue[key], newValue[key], [...path, key]));
  }
  if (JSON.stringify(oldValue) === JSON.stringify(newValue)) return [];
  if (oldValue === undefined) return [{ op: 'add', path, old: undefined, new: newValue }];
  if (newValue === undefined) return [{ op: 'remove', path, old: oldValue, new: undefined }];
  return [{ op: 'change', path, old: oldValue, new: newValue }];
}

/** The value at a dotted path ('spec.replicas'), or undefined. */
export function valueAt(root: unknown, dottedPath: string): unknown {
  let current: unknown = root;
  for (const part of dottedPath.split('.')) {
    if (!isPlainObject(current)) return undefined;
    current = current[part];
  }
  return current;
}
