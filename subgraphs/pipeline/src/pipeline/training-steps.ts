import type { StepName } from "./pipeline-types.js";
import type { PipelineStepEntry } from "./run-steps.js";
import { collectStep } from "./steps/collect-step.js";
import { evaluateStep } from "./steps/evaluate-step.js";
import { featuresStep } from "./steps/features-step.js";
import { ingestStep } from "./steps/ingest-step.js";
import { promoteStep } from "./steps/promote-step.js";
import { registerStep } from "./steps/register-step.js";
import type { PipelineStep } from "./steps/step.js";
import { trainStep } from "./steps/train-step.js";
import { validateStep } from "./steps/validate-step.js";

type OutputOf<S> = S extends PipelineStep<never, infer O> ? O : never;

/** What each step hands on, as the steps declare it: the wiring below is checked against it. */
interface TrainingOutputs {
  collect: OutputOf<typeof collectStep>;
  ingest: OutputOf<typeof ingestStep>;
  validate: OutputOf<typeof validateStep>;
  features: OutputOf<typeof featuresStep>;
  train: OutputOf<typeof trainStep>;
  evaluate: OutputOf<typeof evaluateStep>;
  register: OutputOf<typeof registerStep>;
  promote: OutputOf<typeof promoteStep>;
}

/** The training pipeline: which earlier outputs each of the eight steps is given, in run order. */
export const trainingSteps: readonly PipelineStepEntry[] = [
  { step: collectStep, input: () => undefined, inputHashes: () => [] },
  // Ingest reads the store collect wrote to: its cache key is the store's content, not collect's output.
  { step: ingestStep, input: () => undefined, inputHashes: () => [] },
  after(validateStep, "ingest"),
  after(featuresStep, "validate"),
  after(trainStep, "features"),
  afterEach(evaluateStep, ["features", "train"]),
  afterEach(registerStep, ["train"]),
  afterEach(promoteStep, ["evaluate", "register"]),
];

/** A step whose input is the output of `previous`, as it is. */
function after<K extends StepName>(step: PipelineStep<TrainingOutputs[K], unknown>, previous: K): PipelineStepEntry {
  return {
    step,
    input: (outputs) => required(outputs, previous, step.name),
    inputHashes: (hashes) => [required(hashes, previous, step.name)],
  };
}

/** A step whose input is `{ [name]: output }` of each of `previous`, e.g. `{ features, train }`. */
function afterEach<K extends StepName>(
  step: PipelineStep<Pick<TrainingOutputs, K>, unknown>,
  previous: readonly K[],
): PipelineStepEntry {
  return {
    step,
    input: (outputs) => Object.fromEntries(previous.map((name) => [name, required(outputs, name, step.name)])),
    inputHashes: (hashes) => previous.map((name) => required(hashes, name, step.name)),
  };
}

function required<T>(values: ReadonlyMap<StepName, T>, name: StepName, of: StepName): T {
  if (!values.has(name)) throw new Error(`${of} needs the output of ${name}, which has not run`);
  return values.get(name) as T;
}
