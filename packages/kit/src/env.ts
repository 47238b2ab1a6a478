import { z } from "zod";
import { DEFAULT_MAX_BODY_BYTES } from "./http/http-app.js";

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/**
 * Parses the environment against a zod schema, collecting every problem before failing, so an
 * operator fixes all bad variables in one go. Returns a frozen, typed object.
 */
export function parseEnv<S extends z.ZodObject>(
  schema: S,
  source: Record<string, string | undefined>,
): Readonly<z.infer<S>> {
  const result = schema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join(".") || "(environment)";
      const value = source[String(issue.path[0])];
      const shown = value === undefined ? "is missing" : `= ${JSON.stringify(redactIfSecret(name, value))}`;
      return `${name} ${shown}: ${issue.message}`;
    });
    throw new EnvError(problems);
  }
  return Object.freeze(result.data);
}

/** `parseEnv` for a process entry point: prints every problem on stderr and exits 1. */
export function loadEnv<S extends z.ZodObject>(schema: S, source = process.env): Readonly<z.infer<S>> {
  try {
    return parseEnv(schema, source);
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

function redactIfSecret(name: string, value: string): string {
  return /SECRET|KEY|PASSWORD|TOKEN|_URL$/.test(name) ? "[redacted]" : value;
}

const booleanString = z
  .enum(["true", "false", "1", "0"], { message: "must be true or false" })
  .transform((v) => v === "true" || v === "1");

export const envFields = {
  port: (fallback: number) =>
    z
      .string()
      .regex(/^\d{1,5}$/, "must be a port number from 0 to 65535")
      .transform(Number)
      .pipe(z.number().max(65535, "must be a port number from 0 to 65535"))
      .default(fallback),
  boolean: (fallback: boolean) => booleanString.default(fallback),
  url: (protocols: string[]) =>
    z.string().refine((v) => URL.canParse(v) && protocols.includes(new URL(v).protocol), {
      message: `must be a ${protocols.map((p) => `${p}//`).join(" or ")} URL`,
    }),
  secret: () => z.string().min(32, "must be at least 32 characters"),
};

/** Variables every PokeWatch service reads. */
export const commonEnvShape = {
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATA_DIR: z.string().min(1).default(".pokewatch"),
  DATABASE_URL: envFields.url(["postgres:", "postgresql:"]).optional(),
  REDIS_URL: envFields.url(["redis:", "rediss:"]).optional(),
};

/** Variables of a service that talks to the others: the shared secret and the body limit. */
export const serviceEnvShape = {
  ...commonEnvShape,
  SUBGRAPH_SECRET: envFields.secret(),
  MAX_BODY_BYTES: z
    .string()
    .regex(/^\d+$/, "must be a whole number of bytes")
    .transform(Number)
    .pipe(z.number().positive("must be more than 0"))
    .default(DEFAULT_MAX_BODY_BYTES),
};
