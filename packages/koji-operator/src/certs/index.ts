// Certificates the operator issues from a CA it holds the key of; see certificate-secret.ts.
export * from './issue.js';
export * from './certificate-secret.js';
export * from './host-certificates.js';
export { readSecretData, encodeSecretData, type SecretObject } from './secret-data.js';
