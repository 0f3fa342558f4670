import { nodeVersionProblem } from './node-version.js';

test('an older Node is named with the version the package needs', () => {
  expect(nodeVersionProblem('20.20.2', '>=22.19')).toBe(
    "needs Node >=22.19 (the Kubernetes client's HTTP library requires it); this is Node 20.20.2",
  );
  expect(nodeVersionProblem('22.18.9', '>=22.19')).toContain('this is Node 22.18.9');
});

test('the same or a newer Node passes', () => {
  for (const version of ['22.19.0', '22.20.1', '24.9.0', '25.0.0']) {
    expect(nodeVersionProblem(version, '>=22.19')).toBeUndefined();
  }
});
