export {
  startFakeProviderServer,
  sendFakeJson,
  type FakeHandler,
  type FakeProviderServer,
  type FakeRequest,
} from "./fake-provider-server.js";
export {
  fakeMarketPrice,
  fakePokemonTcgCard,
  fakePokemonTcgHandler,
  type FakePokemonTcgOptions,
  type FakeSetTrouble,
} from "./fake-pokemontcg.js";
