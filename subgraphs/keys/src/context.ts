import type { SubgraphContext } from "@pokewatch/kit";
import type { ApiKeyStore } from "./keys/api-key-store.js";

export interface KeysContext extends SubgraphContext {
  apiKeys: ApiKeyStore;
}
