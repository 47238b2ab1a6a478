import type { FastifyInstance, Logger } from "@pokewatch/kit";
import { pipelineServiceOf } from "./pipeline-app.js";
import { trainFirstModel, type FirstModelOutcome } from "./pipeline/first-model.js";

export interface FirstModelOnStart {
  /** How the check ended: `trained` on one replica, `busy` or `present` on the others. */
  outcome: Promise<FirstModelOutcome>;
  /** Before closing the app: no run is started any more (the app's close stops the one in progress). */
  abort(): void;
}

/**
 * PIPELINE_TRAIN_ON_START for the standalone service: with no production model, the app's runner
 * trains one in the background while the service answers. Replicas started together check at
 * once; the run store admits one active run, so one trains and the others answer `busy`. Pricing
 * picks the promoted model up by event (Redis) or poll (MODEL_POLL_SECONDS).
 */
export function trainFirstModelOnStart(app: FastifyInstance, logger: Logger): FirstModelOnStart {
  const service = pipelineServiceOf(app);
  if (!service) throw new TypeError("trainFirstModelOnStart: the app was not made by createPipelineApp");
  const stopping = new AbortController();
  return {
    outcome: trainFirstModel({ service, logger, signal: stopping.signal }),
    abort: () => stopping.abort(),
  };
}
