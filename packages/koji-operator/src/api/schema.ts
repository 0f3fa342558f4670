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
}
