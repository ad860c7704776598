// Node.js-only helpers (they read and write files and the environment): deploying the registry
// and its deployment records, and networks from deployments/. Browser code imports "sigil-did".
export {
  deployRegistry,
  deploymentFile,
  networksFromDeployments,
  readDeployment,
  type DeploymentRecord,
  type DeployOptions,
  type DeployResult,
} from "./deployments.ts";
export { fileWatchStore } from "./messaging/watch-file-store.ts";
