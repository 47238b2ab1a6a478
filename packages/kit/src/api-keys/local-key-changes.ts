/**
 * Key changes inside one process. When the keys service and the gateway share a process
 * (`pnpm start`), the keys service announces a revoked or rotated key here and the gateway drops
 * it from its cache before the mutation even answers — no Redis, no cache expiry to wait for.
 */
export interface LocalKeyChanges {
  /** Tells every listener, synchronously, that this key changed; a throwing listener is skipped. */
  announce(keyId: string): void;
  /** Calls `listener` on every announcement from now on; returns what stops it. */
  listen(listener: (keyId: string) => void): () => void;
}

export function createLocalKeyChanges(): LocalKeyChanges {
  const listeners = new Set<(keyId: string) => void>();
  return {
    announce(keyId) {
      for (const listener of listeners) {
        try {
          listener(keyId);
        } catch {
          // A listener's failure must not fail the key write that announced the change.
        }
      }
    },
    listen(listener) {
      // A wrapper of its own, so the same function listening twice is stopped once each.
      const entry = (keyId: string) => listener(keyId);
      listeners.add(entry);
      return () => void listeners.delete(entry);
    },
  };
}
