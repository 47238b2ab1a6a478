export {
  createArtifactStore,
  sha256Hex,
  DEFAULT_DATA_DIR,
  type ArtifactStore,
  type ArtifactStoreOptions,
} from "./artifact-store.js";
export {
  createModelRegistry,
  MAX_PAGE_SIZE,
  MODEL_STAGES,
  type ConditionalPromotion,
  type CreateModelRegistryOptions,
  type ListModelVersionsOptions,
  type ModelRegistry,
  type ModelVersionConnection,
  type RegisterOptions,
} from "./model-registry.js";
export {
  importFileArtifacts,
  type FileArtifactImport,
  type ImportFileArtifactsOptions,
} from "./import-file-artifacts.js";
export { migrateModelRegistry, modelMigrations, type MigrateModelRegistryOptions } from "./model-migrations.js";
export { announceProductionModel, PRODUCTION_MODEL_CHANNEL } from "./production-events.js";
export {
  InvalidModelVersionError,
  isModelRegistryError,
  ModelRegistryError,
  ModelVersionNotFoundError,
  REGISTRY_ERROR_CODES,
  type RegistryErrorCode,
} from "./registry-error.js";
export { validateNewModelVersion } from "./validate-new-model-version.js";
