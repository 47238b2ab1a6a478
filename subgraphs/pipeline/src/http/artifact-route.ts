import type { FastifyInstance } from "@pokewatch/kit";
import type { RunStore } from "../pipeline/pipeline-types.js";

/** Where a run's files are served; `RunArtifact.url` points here. */
export const ARTIFACT_ROUTE = "/runs/:runId/artifacts/:name";

// What run ids and artifact names can be (`newRunId`, the run store's artifact names): anything
// else is answered 404 without a query.
const RUN_ID = /^run_[A-Za-z0-9]+$/;
const ARTIFACT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The body of a 404, shaped as every PokeWatch error is. */
const notFound = (runId: string, name: string) => ({
  errors: [{ message: `Run "${runId}" has no artifact "${name}"`, extensions: { code: "NOT_FOUND" } }],
});

/**
 * `GET /runs/:runId/artifacts/:name`: a run's evaluation plots, with their stored content type.
 * Unlike `/graphql` it is not signed: browsers load the plots straight from `RunArtifact.url`, and
 * they hold nothing beyond the metrics `pipeline:read` shows. An SVG may carry script, so it is
 * served with a policy that runs none, and never sniffed as another type.
 */
export function registerArtifactRoute(app: FastifyInstance, store: Pick<RunStore, "artifact">): void {
  app.get<{ Params: { runId: string; name: string } }>(ARTIFACT_ROUTE, async (request, reply) => {
    const { runId, name } = request.params;
    const artifact = RUN_ID.test(runId) && ARTIFACT_NAME.test(name) ? await store.artifact(runId, name) : null;
    if (!artifact) return reply.status(404).send(notFound(runId, name));
    return reply
      .header("content-type", artifact.contentType)
      .header("x-content-type-options", "nosniff")
      .header("content-security-policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
      .header("cache-control", "public, max-age=86400, immutable")
      .send(artifact.body);
  });
}
