// The subset of Kubernetes' JSONSchemaProps (apiextensions.k8s.io/v1) that our CRDs use.
// Structural schemas only: every node has a type, and nothing is left open except where a
// field says so.

export interface ValidationRule {
  /** A CEL expression over `self` (and `oldSelf` for transition rules). */
  rule: string;
  /** What the apiserver tells the person whose object was rejected. */
  message: string;
  fieldPath?: string;
}

export interface JSONSchemaProps {
  type: 'object' | 'array' | 'string' | 'integer' | 'boolean';
  description?: string;
  properties?: Record<string, JSONSchemaProps>;
  required?: string[];
  items?: JSONSchemaProps;
  enum?: (string | number)[];
  default?: unknown;
  pattern?: string;
  format?: 'date-time';
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  'x-kubernetes-validations'?: ValidationRule[];
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  /** A map's values (nodeSelector, resource quantities). */
  additionalProperties?: JSONSchemaProps | IntOrStringSchema;
  /** Left open on purpose: the apiserver validates it where it lands (e.g. a pod's affinity). */
  'x-kubernetes-preserve-unknown-fields'?: true;
}

/** An integer or a string, as Kubernetes quantities are written (`cpu: 1`, `memory: 512Mi`). */
export interface IntOrStringSchema {
  'x-kubernetes-int-or-string': true;
  anyOf: [{ type: 'integer' }, { type: 'string' }];
  pattern?: string;
  description?: string;
}
