// Standard status conditions (kstatus: Ready, Reconciling, Stalled) with observedGeneration;
// lastTransitionTime moves only when a condition's status changes.
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

export type ConditionUpdate = Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>;

export function mergeConditions(
  current: readonly Condition[] | undefined,
  updates: readonly ConditionUpdate[],
  generation: number | undefined,
  now: Date = new Date(),
): Condition[] {
  const result = [...(current ?? [])];
  for (const update of updates) {
    const index = result.findIndex((c) => c.type === update.type);
    const previous = index >= 0 ? result[index] : undefined;
    const next: Condition = {
      ...update,
      message: update.message.slice(0, 32_000),
      lastTransitionTime:
        previous && previous.status === update.status && previous.lastTransitionTime
          ? previous.lastTransitionTime
          : now.toISOString().replace(/\.\d+Z$/, 'Z'),
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
    };
    if (index >= 0) result[index] = next;
    else result.push(next);
  }
  return result;
}
