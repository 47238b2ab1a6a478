import type { FieldLimitRule } from "@pokewatch/kit";
import type { FieldNode } from "graphql";
import type { OperationFieldsInput } from "../operation/operation-fields.js";
import { operationFields } from "../operation/operation-fields.js";
import type { FieldLimitRules, ListCostRules } from "./field-limit-rules.js";

/** A field occurrence an operation selects that has a `@rateLimit`. */
export interface LimitedField {
  /** `Type.field` */
  coordinate: string;
  rule: FieldLimitRule;
}

/** What one operation asks of the limits. */
export interface OperationDemand {
  /**
   * Quota points: 1 for the operation, plus, for each selected `@listCost` field, the length of
   * its list argument minus one — so `fairPrices` with 1,000 requests costs 1,000, as 1,000
   * single calls would, and `card(id)` costs 1.
   */
  cost: number;
  /** One entry per selection of a `@rateLimit` field (aliases count separately). */
  limited: LimitedField[];
}

/**
 * Walks a validated operation (fragments, aliases, `@skip`/`@include`) once and prices it.
 */
export function operationDemand(
  input: OperationFieldsInput,
  rules: { fieldLimits: FieldLimitRules; listCosts: ListCostRules },
): OperationDemand {
  let cost = 1;
  const limited: LimitedField[] = [];
  // One field occurrence = one node at one path; through an abstract type it is yielded once per
  // possible type, and the first type with a rule for it decides.
  const costed = new Map<FieldNode, Set<string>>();
  const counted = new Map<FieldNode, Set<string>>();
  const firstTime = (seen: Map<FieldNode, Set<string>>, node: FieldNode, path: string) => {
    const paths = seen.get(node) ?? new Set<string>();
    seen.set(node, paths);
    if (paths.has(path)) return false;
    paths.add(path);
    return true;
  };
  for (const selected of operationFields(input)) {
    const coordinate = `${selected.parentType}.${selected.fieldName}`;
    const path = selected.path.join(".");
    const listArgument = rules.listCosts.get(coordinate);
    if (listArgument !== undefined && firstTime(costed, selected.node, path)) {
      const list = selected.args[listArgument];
      if (Array.isArray(list) && list.length > 1) cost += list.length - 1;
    }
    const rule = rules.fieldLimits.get(coordinate);
    if (rule && firstTime(counted, selected.node, path)) limited.push({ coordinate, rule });
  }
  return { cost, limited };
}
