import {
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { graphql } from "./graphql-instance.js";

const {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  isAbstractType,
  isObjectType,
} = graphql;

/** One field an operation selects, on one object type it can run on. */
export interface SelectedField {
  /** The object type the field is read from (`Card`, never an interface or union). */
  parentType: string;
  fieldName: string;
  /** The alias if there is one, else the field name. */
  responseKey: string;
  /** Response keys from the root down to and including this field; list indices are not included. */
  path: string[];
  /** The field's arguments, coerced as execution would coerce them. */
  args: Record<string, unknown>;
  /** The field's definition on `parentType` (its arguments' types, its return type). */
  definition: GraphQLField<unknown, unknown>;
  node: FieldNode;
}

export interface OperationFieldsInput {
  /** The API schema the operation was validated against. */
  schema: GraphQLSchema;
  operation: OperationDefinitionNode;
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  /** Coerced variable values (`getVariableValues(...).coerced`). */
  variableValues: Readonly<Record<string, unknown>>;
}

/**
 * Every field a validated operation can execute, following fragment spreads and inline fragments
 * and leaving out what `@skip`/`@include` exclude. Where the runtime type is abstract, a field is
 * yielded once per possible object type that has it, so a rule on `Card.x` applies whether `x` is
 * selected on `Card` directly or through an interface.
 *
 * Fields are merged as graphql-js's `collectFields` merges them: the selections that share a
 * response key are one field, yielded once per parent type, and their sub-selections are walked
 * together once; within one selection set a fragment is expanded once however often it is spread.
 * So the walk grows with the fields the response can have, never with the number of spreads
 * (a fragment that spreads the next one twice, 30 times over, costs 30 steps, not 2^30), and it
 * keeps its own stack, so a chain of 1,000 fragments needs no deep call stack. Yielded in
 * document order, each field before the fields under it.
 */
export function* operationFields(input: OperationFieldsInput): Generator<SelectedField> {
  const root = input.schema.getRootType(input.operation.operation);
  if (!root) return;
  const frames: Frame[] = [frameOf(input, [root], [input.operation.selectionSet], [])];
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    const next = frame.groups.next();
    if (next.done) {
      frames.pop();
      continue;
    }
    const [responseKey, entries] = next.value;
    const path = [...frame.path, responseKey];
    const yielded = new Set<GraphQLObjectType>();
    const childTypes = new Set<GraphQLObjectType>();
    const childSets: SelectionSetNode[] = [];
    for (const { node, possible } of entries) {
      for (const parent of possible) {
        const def = fieldDefOf(input.schema, parent, node.name.value);
        if (!def) continue;
        if (!yielded.has(parent)) {
          yielded.add(parent);
          const args = argumentsOf(def, node, input.variableValues);
          yield { parentType: parent.name, fieldName: node.name.value, responseKey, path, args, definition: def, node };
        }
        if (node.selectionSet) {
          for (const type of objectTypesOf(input.schema, getNamedType(def.type).name)) childTypes.add(type);
        }
      }
      if (node.selectionSet) childSets.push(node.selectionSet);
    }
    if (childSets.length > 0 && childTypes.size > 0) {
      frames.push(frameOf(input, [...childTypes], childSets, path));
    }
  }
}

/** One selection of a field, and the object types it applies to there. */
interface FieldEntry {
  node: FieldNode;
  possible: readonly GraphQLObjectType[];
}

/** The merged fields of one response path, walked one response key at a time. */
interface Frame {
  path: readonly string[];
  groups: Iterator<[string, FieldEntry[]]>;
}

function frameOf(
  input: OperationFieldsInput,
  possible: readonly GraphQLObjectType[],
  selectionSets: readonly SelectionSetNode[],
  path: readonly string[],
): Frame {
  return { path, groups: collectFields(input, possible, selectionSets).entries() };
}

/**
 * The fields these selection sets select, grouped by response key in document order. A fragment
 * is expanded once per set of object types it applies to (that is also what cuts cycles).
 */
function collectFields(
  input: OperationFieldsInput,
  possible: readonly GraphQLObjectType[],
  selectionSets: readonly SelectionSetNode[],
): Map<string, FieldEntry[]> {
  const groups = new Map<string, FieldEntry[]>();
  const expanded = new Set<string>();
  const stack = [...selectionSets].reverse().map((set) => ({ set, possible, index: 0 }));
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const selection = top.set.selections[top.index];
    if (!selection) {
      stack.pop();
      continue;
    }
    top.index += 1;
    if (!isIncluded(input, selection)) continue;
    if (selection.kind === Kind.FIELD) {
      const key = selection.alias?.value ?? selection.name.value;
      const entry = { node: selection, possible: top.possible };
      const group = groups.get(key);
      if (group) group.push(entry);
      else groups.set(key, [entry]);
      continue;
    }
    let set: SelectionSetNode;
    let condition: string | undefined;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      set = selection.selectionSet;
      condition = selection.typeCondition?.name.value;
    } else {
      const fragment = input.fragments[selection.name.value];
      if (!fragment) continue;
      set = fragment.selectionSet;
      condition = fragment.typeCondition.name.value;
    }
    const narrowed = condition ? narrow(input.schema, top.possible, condition) : top.possible;
    if (narrowed.length === 0) continue;
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const once = `${selection.name.value}|${narrowed.map((type) => type.name).join(",")}`;
      if (expanded.has(once)) continue;
      expanded.add(once);
    }
    stack.push({ set, possible: narrowed, index: 0 });
  }
  return groups;
}

/**
 * The field's arguments as execution coerces them; `{}` when they cannot be coerced (e.g. `null`
 * sent for a non-null argument through a variable with a default): execution refuses that field
 * itself, and a walk must never throw out of a plugin hook (Apollo answers that with a 500).
 */
function argumentsOf(
  def: GraphQLField<unknown, unknown>,
  node: FieldNode,
  variableValues: OperationFieldsInput["variableValues"],
): Record<string, unknown> {
  try {
    return getArgumentValues(def, node, variableValues);
  } catch {
    return {};
  }
}

function fieldDefOf(
  schema: GraphQLSchema,
  parent: GraphQLObjectType,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  if (parent === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  return parent.getFields()[name];
}

/** The object types a named type can be at run time. */
function objectTypesOf(schema: GraphQLSchema, typeName: string): readonly GraphQLObjectType[] {
  const type = schema.getType(typeName);
  if (isObjectType(type)) return [type];
  if (isAbstractType(type)) return schema.getPossibleTypes(type);
  return [];
}

function narrow(
  schema: GraphQLSchema,
  possible: readonly GraphQLObjectType[],
  typeCondition: string,
): readonly GraphQLObjectType[] {
  const allowed = new Set(objectTypesOf(schema, typeCondition));
  return possible.filter((type) => allowed.has(type));
}

function isIncluded(input: OperationFieldsInput, node: Parameters<typeof getDirectiveValues>[1]): boolean {
  const { variableValues } = input;
  if (getDirectiveValues(GraphQLSkipDirective, node, variableValues)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variableValues)?.if !== false;
}

/** The fragment definitions of a document, by name. */
export function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
  }
  return fragments;
}
