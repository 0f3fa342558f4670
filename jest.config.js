// Two tiers: unit tests next to the code they test (pure functions, no cluster), and
// integration tests under test/ and packages/*/test/ against the real control plane
// that test/cluster starts once per run.
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
      globalSetup: '<rootDir>/test/cluster/jest-global-setup.ts',
      globalTeardown: '<rootDir>/test/cluster/jest-global-teardown.ts',
    },
  ],
};
