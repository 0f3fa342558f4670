// The PKI lives in the framework's testing kit (its embedded control plane uses it too).
export * from '../../packages/framework/src/testing/pki.ts';
