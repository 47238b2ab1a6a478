import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";

/**
 * Apollo Sandbox at `/` and `/graphql` for people exploring the API; no landing page in
 * production, where the endpoint is for programs.
 * @default Sandbox unless NODE_ENV=production
 */
export function landingPagePlugin(nodeEnv: string) {
  return nodeEnv === "production"
    ? ApolloServerPluginLandingPageDisabled()
    : ApolloServerPluginLandingPageLocalDefault({
        embed: { initialState: { pollForSchemaUpdates: false } },
        includeCookies: false,
      });
}
