/** Median of `values`, sorting them in place: callers pass scratch arrays they own. */
export function sortingMedian(values: Float64Array): number {
  values.sort();
  const middle = values.length >> 1;
  return values.length % 2 === 1 ? values[middle]! : (values[middle - 1]! + values[middle]!) / 2;
}
