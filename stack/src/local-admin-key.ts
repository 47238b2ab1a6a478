/* eslint-disable security/detect-non-literal-fs-filename -- DATA_DIR, set by whoever runs pnpm start */
import { chmod, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { API_KEY_SCOPES, type Logger } from "@pokewatch/kit";
import type { ApiKeyStore } from "@pokewatch/keys";

export const LOCAL_ADMIN_KEY_FILE = "admin-key";

/**
 * A fresh embedded system has no key to call it with. When no key exists yet and no
 * POKEWATCH_ADMIN_KEY is set, `pnpm start` creates one with every scope and writes its secret to
 * `<DATA_DIR>/admin-key`, readable by its owner only, with the admin rate (ADMIN_RATE_LIMIT_RPM). The
 * log names the file, never the secret.
 * Returns the file's path when it created a key.
 */
export async function createLocalAdminKey(
  store: ApiKeyStore,
  dataDir: string,
  logger: Logger,
  rateLimitPerMinute: number,
) {
  if ((await store.count()) > 0) return undefined;
  const { record, secret } = await store.create({
    name: "local admin (pnpm start)",
    scopes: [...API_KEY_SCOPES],
    rateLimitPerMinute,
  });
  const path = join(dataDir, LOCAL_ADMIN_KEY_FILE);
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
  await chmod(path, 0o600);
  logger.warn(
    { keyId: record.id, file: path },
    `no API key existed: created an admin key; send it as x-api-key (its secret is in ${path})`,
  );
  return path;
}
