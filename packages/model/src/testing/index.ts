export { fixedRatioModelVersion, priceBandModelVersion } from "./fixed-ratio-model.js";
export { syntheticSeries } from "./synthetic-series.js";
export { newModelVersionFixture } from "../registry/model-version.fixture.js";
