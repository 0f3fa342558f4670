// Field schemas shared by several kinds. Where the apiserver's own message for a failed
// `pattern` would only echo the regular expression, a CEL rule says the same in words; both
// run (the apiserver skips CEL only after a type error), so the person sees the plain message.
import type { JSONSchemaProps } from './schema.js';

// DNS-1123 subdomain: what Kubernetes accepts as a Secret, ConfigMap or PVC name.
const dnsSubdomain = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?([.][a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';

// A non-negative Kubernetes quantity (resource.Quantity's grammar without the sign).
const quantity =
  '^(([0-9]+([.][0-9]*)?)|([.][0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?(([0-9]+([.][0-9]*)?)|([.][0-9]+))))?$';

export type ObjectKind = 'Secret' | 'ConfigMap' | 'PersistentVolumeClaim';

/** The name of another object in the CR's namespace. */
export function objectName(kind: ObjectKind, description: string): JSONSchemaProps {
  return {
    type: 'string',
    description,
    maxLength: 253,
    pattern: dnsSubdomain,
    'x-kubernetes-validations': [
      {
        rule: `self.matches('${dnsSubdomain}')`,
        message: `must be the name of a ${kind} in this namespace: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`,
      },
    ],
  };
}

/** A storage size for a PersistentVolumeClaim, e.g. `10Gi`. */
export function storageSize(description: string): JSONSchemaProps {
  return {
    type: 'string',
    description,
    maxLength: 64,
    pattern: quantity,
    'x-kubernetes-validations': [
      {
        rule: "isQuantity(self) && quantity(self).isGreaterThan(quantity('0'))",
        message:
          'must be a storage size greater than zero written as a Kubernetes quantity, e.g. 1Gi or 500Mi',
      },
    ],
  };
}

/** A PersistentVolumeClaim's storageClassName: unset takes the cluster's default class. */
export function storageClass(claim: string): JSONSchemaProps {
  return {
    type: 'string',
    maxLength: 253,
    description: `storageClassName of the ${claim} the operator creates; unset: the cluster's default class; "": no class (a pre-provisioned volume).`,
    'x-kubernetes-validations': [
      {
        rule: `self == '' || self.matches('${dnsSubdomain}')`,
        message: 'must be the name of a StorageClass, or empty for none',
      },
    ],
  };
}

export function replicas(description: string): JSONSchemaProps {
  return { type: 'integer', description, minimum: 0, maximum: 1000, default: 1 };
}

export function image(description: string): JSONSchemaProps {
  return { type: 'string', description, minLength: 1, maxLength: 1024 };
}

/** A URL or host:port that a workload uses to reach koji-hub; empty: the namespace's KojiHub. */
export function hubAddress(description: string): JSONSchemaProps {
  return { type: 'string', description: `${description} Empty: the namespace's KojiHub.`, maxLength: 1024 };
}

export const hubUrlStatus: JSONSchemaProps = {
  type: 'string',
  description: "The hub URL the component's config names, as resolved from its hub field or the KojiHub.",
};

export function stringList(description: string, item: JSONSchemaProps): JSONSchemaProps {
  return { type: 'array', description, items: item, maxItems: 64, 'x-kubernetes-list-type': 'set' };
}
