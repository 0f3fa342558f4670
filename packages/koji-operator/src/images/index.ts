// The image contract (what each image provides, what pods may rely on) and its Containerfile reader.
export * from './contract.js';
export {
  readInstructions,
  finalStage,
  execForm,
  installedPackages,
  createdDirectories,
} from './containerfile.js';
export type { Instruction } from './containerfile.js';
export { buildCommands, type BuildOptions } from './build-plan.js';
export { podContractViolations, containerImages, type CheckedPod } from './pod-check.js';
