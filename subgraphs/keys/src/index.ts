export { createKeysApp, keysMigrations, KEYS_SDL, type CreateKeysAppOptions } from "./keys-app.js";
export { keysEnvSchema, type KeysEnv } from "./env.js";
export { keysOptionsFromEnv, type KeysOptions } from "./keys-options-from-env.js";
export { createApiKeyStore, type ApiKeyStore } from "./keys/api-key-store.js";
