import { readFileSync } from "node:fs";

/** Reads the static supergraph; a missing or empty file stops start-up with the path in the message. */
export function readSupergraphSdl(path: string): string {
  let sdl: string;
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- SUPERGRAPH_PATH, set by the operator
    sdl = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(
      `SUPERGRAPH_PATH: cannot read ${path} (${(error as NodeJS.ErrnoException).code}); run \`pnpm compose\``,
    );
  }
  if (!sdl.includes("@join__graph")) throw new Error(`SUPERGRAPH_PATH: ${path} is not a composed supergraph`);
  return sdl;
}
