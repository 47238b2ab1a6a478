import cors from "@fastify/cors";
import type { FastifyInstance } from "@pokewatch/kit";

/** CORS_ORIGINS → @fastify/cors: `*` reflects any origin, a list allows those, empty allows none. */
export function corsOrigin(setting: string): boolean | string[] {
  if (setting.trim() === "*") return true;
  const origins = setting
    .split(",")
    .map((origin) => origin.trim())
    .filter(Boolean);
  return origins.length ? origins : false;
}

/**
 * Lets browser frontends call the API from the allowed origins and read `x-request-id`.
 * @default "*"
 */
export async function registerCors(app: FastifyInstance, setting = "*"): Promise<void> {
  await app.register(cors, { origin: corsOrigin(setting), exposedHeaders: ["x-request-id"] });
}
