/** A Relay page as the schema's `*Connection` types hold it, from a store's forward-only page. */
export function toConnection<T>(
  nodes: readonly T[],
  cursors: readonly string[],
  page: { hasNextPage: boolean; endCursor: string | null },
  after: string | null | undefined,
) {
  const edges = nodes.map((node, index) => ({ node, cursor: cursors[index]! }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      // Forward-only pagination: there is something before this page exactly when a cursor was given.
      hasPreviousPage: Boolean(after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: page.endCursor,
    },
  };
}
