import { MAX_PAGE_SIZE, sha256Hex, type ModelRegistry, type ModelVersion } from "@pokewatch/model";
import type { PipelineStep } from "./step.js";
import type { TrainOutput } from "./train-step.js";

export interface RegisterOutput {
  modelVersionId: string;
  /** True when a version with the same artifact bytes was registered before and is reused. */
  reused: boolean;
}

/**
 * Registers the candidate as STAGING, unless the very same ONNX bytes are already registered (a
 * rerun on unchanged data): then that version is reused, so the registry holds no duplicates. A
 * reused ARCHIVED version keeps its stage, and promote leaves it alone (an operator retired it).
 */
export const registerStep: PipelineStep<{ train: TrainOutput }, RegisterOutput> = {
  name: "register",
  cacheable: false,
  codeUrl: new URL(import.meta.url),
  async run(ctx, { train: { newVersion } }) {
    const sha256 = sha256Hex(newVersion.artifact);
    const existing = await findByArtifact(ctx.registry, sha256);
    if (existing) {
      // Its bytes may be gone (a file missing when artifacts moved into the database): these are them.
      await ctx.registry.storeArtifact(newVersion.artifact);
      const output: RegisterOutput = { modelVersionId: existing.id, reused: true };
      // An archived version was retired (by a rollback or by hand): promote will not bring it back.
      const retired = existing.stage === "ARCHIVED" ? "; it was retired, so it will not be promoted automatically" : "";
      return {
        output,
        outputHash: hashOf(output),
        message: `reused ${existing.id} (version ${existing.version}, ${existing.stage}): the same artifact (sha256 ${sha256.slice(0, 12)}…) is already registered${retired}`,
      };
    }
    const registered = await ctx.registry.register(newVersion, { stage: "STAGING" });
    const output: RegisterOutput = { modelVersionId: registered.id, reused: false };
    return {
      output,
      outputHash: hashOf(output),
      message: `registered ${registered.id} (version ${registered.version}) as STAGING`,
    };
  },
};

const hashOf = (output: RegisterOutput) => sha256Hex(Buffer.from(JSON.stringify(output), "utf8"));

/**
 * The version holding these artifact bytes: the production one if it does, else the newest. The
 * registry has no lookup by hash (nor a unique constraint on it), so this pages through the
 * versions, newest first: one run a day makes a few hundred rows a year.
 */
export async function findByArtifact(registry: ModelRegistry, sha256: string): Promise<ModelVersion | null> {
  let newest: ModelVersion | null = null;
  let after: string | null = null;
  for (;;) {
    const page = await registry.list({ first: MAX_PAGE_SIZE, after });
    for (const { node } of page.edges) {
      if (node.artifactSha256 !== sha256) continue;
      if (node.stage === "PRODUCTION") return node;
      newest ??= node;
    }
    if (!page.pageInfo.hasNextPage) return newest;
    after = page.pageInfo.endCursor;
  }
}
