// The part of Kubernetes' JSONSchemaProps (apiextensions.k8s.io/v1) a CRD's schema is written
// in. Structural schemas only: every node has a type, and nothing is left open unless a field
// says so with x-kubernetes-preserve-unknown-fields.

export interface ValidationRule {
  /** A CEL expression over `self` (and `oldSelf` for transition rules). */
  rule: string;
  /** What the apiserver tells the person whose object was rejected. */
  message: string;
  fieldPath?: string;
}

export interface JSONSchemaProps {
  type: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, JSONSchemaProps>;
  /** A map's values (nodeSelector, resource quantities). */
  additionalProperties?: JSONSchemaProps | IntOrStringSchema;
  required?: string[];
  items?: JSONSchemaProps;
  enum?: (string | number)[];
  default?: unknown;
  nullable?: boolean;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  'x-kubernetes-validations'?: ValidationRule[];
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  /** Left open on purpose: the apiserver validates it where it lands (e.g. a pod's affinity). */
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

/** An integer or a string, as Kubernetes quantities are written (`cpu: 1`, `memory: 512Mi`). */
export interface IntOrStringSchema {
  'x-kubernetes-int-or-string': true;
  anyOf: [{ type: 'integer' }, { type: 'string' }];
  pattern?: string;
  description?: string;
}
