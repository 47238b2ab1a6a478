import { subgraphOptionsOf, type DatabaseOptions, type RunnerOptions } from "@pokewatch/kit";
import type { KeysEnv } from "./env.js";
import type { CreateKeysAppOptions } from "./keys-app.js";

/** What the app needs at run time, which the entry point opens or makes: not from the environment. */
type KeysRuntime = "db" | "redis" | "logger" | "clock" | "localKeyChanges";

/** Everything the keys service takes from its environment. */
export interface KeysOptions extends RunnerOptions {
  database: DatabaseOptions;
  app: Omit<CreateKeysAppOptions, KeysRuntime> & { adminRateLimitPerMinute: number };
}

/**
 * The one mapping of the keys service's environment to its options, for both entry points: the
 * standalone service (`main.ts`) and `pnpm start` (`startStack`). Every variable of
 * `keysEnvSchema` lands here (`keys-options-from-env.test.ts` proves it).
 */
export function keysOptionsFromEnv(env: KeysEnv): KeysOptions {
  const base = subgraphOptionsOf(env, "keys", env.KEYS_PORT);
  return {
    ...base,
    app: {
      ...base.app,
      adminKey: env.POKEWATCH_ADMIN_KEY,
      defaultRateLimitPerMinute: env.RATE_LIMIT_RPM,
      adminRateLimitPerMinute: env.ADMIN_RATE_LIMIT_RPM,
    },
  };
}
