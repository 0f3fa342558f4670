// deploy/deployment.yaml runs the operator image as its contract says, at the contract's reference.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { images } from './contract.js';
import { podContractViolations, type CheckedPod } from './pod-check.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const deployment = parse(readFileSync(`${repoRoot}deploy/deployment.yaml`, 'utf8')) as {
  spec: { template: { spec: CheckedPod & { containers: { image: string }[] } } };
};

test('the operator Deployment follows the koji-operator image contract', () => {
  expect(podContractViolations(deployment.spec.template.spec)).toEqual([]);
});

test('the operator Deployment runs the contract reference of the operator image', () => {
  expect(deployment.spec.template.spec.containers[0]?.image).toBe(images['koji-operator'].reference);
});
