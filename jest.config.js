// Tiers: unit tests next to the code they test (pure functions, no cluster); integration tests
// under test/ and packages/*/test/ against the real control plane that test/cluster starts
// once per run; `real`: tests under test/real-node/ against a control plane with a real
// kubelet node (real pods, probes, Services, DNS), started once per run.
const tsJest = [
  'ts-jest',
  { useESM: true, tsconfig: '<rootDir>/tsconfig.test.json', diagnostics: { warnOnly: false } },
];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: {
    '^@fedora-operators/framework$': '<rootDir>/packages/framework/src/index.ts',
    '^@fedora-operators/framework/testing$': '<rootDir>/packages/framework/src/testing/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testEnvironment: 'node',
};

export default {
  // A top-level option: jest ignores testTimeout inside a project.
  testTimeout: 120000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/packages/*/src/**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/packages/*/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/real-node/'],
      globalSetup: '<rootDir>/test/cluster/jest-global-setup.ts',
      globalTeardown: '<rootDir>/test/cluster/jest-global-teardown.ts',
    },
    {
      // Real pods on a real kubelet node (test/cluster/real-cluster.ts): needs root on Linux.
      ...common,
      displayName: 'real',
      testMatch: ['<rootDir>/test/real-node/*.test.ts'],
      globalSetup: '<rootDir>/test/cluster/jest-real-setup.ts',
      globalTeardown: '<rootDir>/test/cluster/jest-real-teardown.ts',
    },
    {
      // The proposal's Koji on the real node (locally built images), run by `npm test` after `real`.
      ...common,
      displayName: 'real-koji',
      testMatch: ['<rootDir>/test/real-node/koji/*.test.ts'],
      globalSetup: '<rootDir>/test/cluster/jest-real-setup.ts',
      globalTeardown: '<rootDir>/test/cluster/jest-real-teardown.ts',
    },
  ],
};
