import type { FieldLimitRule } from "@pokewatch/kit";
import type { SelectedField } from "../operation/operation-fields.js";
import type { FieldLimitRules, ListCostRules } from "./field-limit-rules.js";

/** A field an operation selects that has a `@rateLimit`, once per response path. */
export interface LimitedField {
  /** `Type.field` */
  coordinate: string;
  rule: FieldLimitRule;
}

/** What one operation asks of the limits. */
export interface OperationDemand {
  /**
   * Quota points, demand-control style, per response path (so aliases count, merged selections
   * once): each `@listCost` field costs the size of its argument (a list's length, or an Int such
   * as `first`); every other root field, and every field that takes arguments (`fairPrice(date:)`,
   * `priceHistory(from:, to:)`, `__type(name:)`), costs 1 — each times the sizes of the `@listCost`
   * fields around it. An operation costs at least 1. So `fairPrices` with 1,000 requests costs
   * 1,000, `cards(ids:)` with 1,000 ids and their `fairPrice` 2,000, and 1,000 aliased
   * `card(id) { fairPrice }` 2,000 too, as 1,000 single calls would.
   */
  cost: number;
  /** One entry per response path of a `@rateLimit` field (aliases are separate paths). */
  limited: LimitedField[];
}

/** The size a `@listCost` argument announces: a list's length or a non-negative Int. */
function sizeOf(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (typeof value === "number" && Number.isInteger(value) && value > 0) return value;
  return value === 0 ? 0 : 1;
}

/**
 * Prices the fields a validated operation selects (`operationFields`: fragments, aliases,
 * `@skip`/`@include` followed).
 * Selections GraphQL merges (the same response key twice, or again inside a fragment) execute
 * once, so they are priced and counted once: by response path.
 */
export function operationDemand(
  fields: Iterable<SelectedField>,
  rules: { fieldLimits: FieldLimitRules; listCosts: ListCostRules },
): OperationDemand {
  let cost = 0;
  const limited: LimitedField[] = [];
  // How many times the field at a response path runs: the product of the list sizes above it.
  const multiplierAt = new Map<string, number>([["", 1]]);
  const priced = new Set<string>();
  const counted = new Set<string>();
  for (const selected of fields) {
    const coordinate = `${selected.parentType}.${selected.fieldName}`;
    const path = selected.path.join(".");
    const around = multiplierAt.get(selected.path.slice(0, -1).join(".")) ?? 1;
    const listArgument = rules.listCosts.get(coordinate);
    // Through an abstract type a field is yielded once per possible type: the first with a rule decides.
    if (listArgument !== undefined && !priced.has(path)) {
      priced.add(path);
      const size = sizeOf(selected.args[listArgument]);
      cost += size * around;
      multiplierAt.set(path, around * Math.max(size, 1));
    } else if (!multiplierAt.has(path)) {
      multiplierAt.set(path, around);
      // A root field, or a field with arguments, makes a subgraph resolve something of its own.
      if (!priced.has(path) && (selected.path.length === 1 || selected.definition.args.length > 0)) {
        priced.add(path);
        cost += around;
      }
    }
    const rule = rules.fieldLimits.get(coordinate);
    if (rule && !counted.has(path)) {
      counted.add(path);
      limited.push({ coordinate, rule });
    }
  }
  return { cost: Math.max(1, cost), limited };
}
