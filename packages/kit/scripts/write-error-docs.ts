/** `pnpm docs:errors`: writes docs/errors.md from the error-code registry. */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderErrorDocs } from "../src/error-docs.js";

const target = fileURLToPath(new URL("../../../docs/errors.md", import.meta.url));
writeFileSync(target, renderErrorDocs());
process.stdout.write(`wrote ${target}\n`);
