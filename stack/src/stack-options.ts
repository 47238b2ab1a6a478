import { randomBytes } from "node:crypto";
import { gatewayOptionsFromEnv, type GatewayOptions } from "@pokewatch/gateway";
import { keysOptionsFromEnv, type KeysOptions } from "@pokewatch/keys";
import { SUBGRAPH_NAMES, subgraphSecretOf, subgraphSecretVariable } from "@pokewatch/kit";
import { pipelineOptionsFromEnv, type PipelineOptionsFromEnv } from "@pokewatch/pipeline";
import { pricingOptionsFromEnv, type PricingOptions } from "@pokewatch/pricing";
import type { StackEnv } from "./stack-env.js";

/** The four services' options, each from the service's own `<service>OptionsFromEnv`. */
export interface StackOptions {
  gateway: GatewayOptions;
  pricing: PricingOptions;
  keys: KeysOptions;
  pipeline: PipelineOptionsFromEnv;
}

const randomSecret = () => randomBytes(32).toString("base64url");

/**
 * The stack's environment read by the same functions the standalone services use, so that both
 * entry points agree on every variable. The one difference is made here, in the environment: a
 * subgraph with no secret set gets a random one of its own (`SUBGRAPH_SECRET_<NAME>`), which the
 * gateway then signs with.
 */
export function stackOptionsFromEnv(env: StackEnv, newSecret: () => string = randomSecret): StackOptions {
  const secrets = Object.fromEntries(
    SUBGRAPH_NAMES.filter((name) => subgraphSecretOf(env, name) === undefined).map((name) => [
      subgraphSecretVariable(name),
      newSecret(),
    ]),
  );
  const filled: StackEnv = { ...env, ...secrets };
  return {
    gateway: gatewayOptionsFromEnv(filled),
    pricing: pricingOptionsFromEnv(filled),
    keys: keysOptionsFromEnv(filled),
    pipeline: pipelineOptionsFromEnv(filled),
  };
}
