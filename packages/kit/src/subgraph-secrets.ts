import type { z } from "zod";

/** The subgraphs whose secrets the environment may set one by one (`SUBGRAPH_SECRET_<NAME>`). */
export const SUBGRAPH_NAMES = ["pricing", "keys", "pipeline"] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** The secrets of one subgraph's signatures. */
export interface SubgraphSecret {
  /** The gateway signs with it; the subgraph accepts it. */
  current: string;
  /** Accepted by the subgraph too while a rotation is under way; never signed with. */
  previous?: string | undefined;
}

/** `SUBGRAPH_SECRET_PRICING` for `pricing`. */
export function subgraphSecretVariable(name: string): string {
  return `SUBGRAPH_SECRET_${name.toUpperCase().replaceAll("-", "_")}`;
}

type SecretEnv = Readonly<Record<string, unknown>>;

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);

/**
 * One subgraph's secrets from a parsed environment: its own pair (`SUBGRAPH_SECRET_<NAME>`,
 * `SUBGRAPH_SECRET_<NAME>_PREVIOUS`) when its own secret is set, the shared pair
 * (`SUBGRAPH_SECRET`, `SUBGRAPH_SECRET_PREVIOUS`) otherwise. `_<NAME>_PREVIOUS` alone also counts,
 * for a subgraph going back from its own secret to the shared one. Undefined when no secret is set.
 */
export function subgraphSecretOf(env: SecretEnv, name: string): SubgraphSecret | undefined {
  const variable = subgraphSecretVariable(name);
  const own = text(env[variable]);
  const current = own ?? text(env.SUBGRAPH_SECRET);
  if (current === undefined) return undefined;
  // A subgraph with a secret of its own rotates its own pair: the shared previous secret, which
  // other subgraphs know, is not its to accept.
  const previous =
    text(env[`${variable}_PREVIOUS`]) ?? (own === undefined ? text(env.SUBGRAPH_SECRET_PREVIOUS) : undefined);
  return previous === undefined || previous === current ? { current } : { current, previous };
}

/** `subgraphSecretOf` for an environment `checkSubgraphSecrets` has passed. */
export function requireSubgraphSecret(env: SecretEnv, name: string): SubgraphSecret {
  const secret = subgraphSecretOf(env, name);
  if (!secret)
    throw new Error(`no secret for subgraph ${name}: set SUBGRAPH_SECRET or ${subgraphSecretVariable(name)}`);
  return secret;
}

/**
 * A zod `superRefine` for a service's environment: each of `names` has a secret (its own or
 * SUBGRAPH_SECRET; unless `required` is false, as in `pnpm start`, which makes them up), and a
 * subgraph's own secret is not also the shared one or another subgraph's — then it could sign
 * for them, which is what an own secret is there to prevent.
 */
export function checkSubgraphSecrets(names: readonly string[], { required = true } = {}) {
  return (env: SecretEnv, ctx: z.RefinementCtx): void => {
    const shared = text(env.SUBGRAPH_SECRET);
    const unsigned = names.filter(
      (name) => required && shared === undefined && text(env[subgraphSecretVariable(name)]) === undefined,
    );
    if (unsigned.length > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["SUBGRAPH_SECRET"],
        message: `required unless ${unsigned.map(subgraphSecretVariable).join(" and ")} ${unsigned.length > 1 ? "are" : "is"} set: ${unsigned.join(", ")} would have no secret to sign with`,
      });
    }
    for (const name of names) {
      const variable = subgraphSecretVariable(name);
      const own = text(env[variable]);
      if (own === undefined) continue;
      const others = ["SUBGRAPH_SECRET", ...names.filter((other) => other !== name).map(subgraphSecretVariable)];
      const same = others.find((other) => text(env[other]) === own);
      if (same) {
        ctx.addIssue({
          code: "custom",
          path: [variable],
          message: `must differ from ${same}: a subgraph's own secret must not be able to sign for another`,
        });
      }
    }
  };
}
