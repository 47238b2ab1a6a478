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
 * selected on `Card` directly or through an interface; consumers that count fields dedupe on `node`
 * and `path`.
 */
export function* operationFields(input: OperationFieldsInput): Generator<SelectedField> {
  const root = input.schema.getRootType(input.operation.operation);
  if (!root) return;
  yield* walk(input, input.operation.selectionSet, [root], [], new Set());
}

function* walk(
  input: OperationFieldsInput,
  selectionSet: SelectionSetNode,
  possible: readonly GraphQLObjectType[],
  path: readonly string[],
  activeFragments: ReadonlySet<string>,
): Generator<SelectedField> {
  for (const selection of selectionSet.selections) {
    if (!isIncluded(input, selection)) continue;
    switch (selection.kind) {
      case Kind.FIELD:
        yield* walkField(input, selection, possible, path, activeFragments);
        break;
      case Kind.INLINE_FRAGMENT: {
        const narrowed = selection.typeCondition
          ? narrow(input.schema, possible, selection.typeCondition.name.value)
          : possible;
        yield* walk(input, selection.selectionSet, narrowed, path, activeFragments);
        break;
      }
      case Kind.FRAGMENT_SPREAD: {
        const name = selection.name.value;
        const fragment = input.fragments[name];
        // A cycle is a validation error; never follow one, whoever calls this.
        if (!fragment || activeFragments.has(name)) continue;
        const narrowed = narrow(input.schema, possible, fragment.typeCondition.name.value);
        yield* walk(input, fragment.selectionSet, narrowed, path, new Set([...activeFragments, name]));
        break;
      }
    }
  }
}

function* walkField(
  input: OperationFieldsInput,
  node: FieldNode,
  possible: readonly GraphQLObjectType[],
  path: readonly string[],
  activeFragments: ReadonlySet<string>,
): Generator<SelectedField> {
  const fieldName = node.name.value;
  const responseKey = node.alias?.value ?? fieldName;
  const fieldPath = [...path, responseKey];
  const children = new Set<GraphQLObjectType>();
  for (const parent of possible) {
    const def = fieldDefOf(input.schema, parent, fieldName);
    if (!def) continue;
    const args = argumentsOf(def, node, input.variableValues);
    yield { parentType: parent.name, fieldName, responseKey, path: fieldPath, args, node };
    if (node.selectionSet) {
      for (const type of objectTypesOf(input.schema, getNamedType(def.type).name)) children.add(type);
    }
  }
  if (node.selectionSet && children.size > 0) {
    yield* walk(input, node.selectionSet, [...children], fieldPath, activeFragments);
  }
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
