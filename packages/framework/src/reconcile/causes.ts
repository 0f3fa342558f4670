// Why an object is being processed, decided from the object alone (plus whether this process
// has seen it before): its deletionTimestamp and our finalizer, and its diff-base annotation.
export type ChangeCause = 'create' | 'update' | 'resume' | 'delete';

export interface CauseInput {
  deleting: boolean;
  hasFinalizer: boolean;
  /** The object carries a diff-base: some operator instance handled it before. */
  handledBefore: boolean;
  essenceChanged: boolean;
  /** First sight of an already-handled object since this process started (or resume not yet done). */
  resumePending: boolean;
}

/** The causes to handle, in the order their handlers run; empty means nothing changed. */
export function detectCauses(input: CauseInput): ChangeCause[] {
  if (input.deleting) return input.hasFinalizer ? ['delete'] : [];
  if (!input.handledBefore) return ['create'];
  const causes: ChangeCause[] = [];
  if (input.resumePending) causes.push('resume');
  if (input.essenceChanged) causes.push('update');
  return causes;
}
