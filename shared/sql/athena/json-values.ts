import type { AthenaType, StructType } from '../../sources/types.js';
import { trinoLiteral } from './identifiers.js';
import { trinoType } from './types.js';

/** `["key"]`: one step of a JSON path naming a key exactly (case-sensitive, any characters). */
export function jsonKeyStep(key: string): string {
  return `[${JSON.stringify(key)}]`;
}

/** `$["key"]`: the JSON path of a top-level key. */
export function jsonKeyPath(key: string): string {
  return `$${jsonKeyStep(key)}`;
}

/**
 * The text of a JSON value at `path`, as DuckDB's `json_extract_string` gives it: a scalar's text
 * (strings unquoted), an object's or array's JSON text, NULL for JSON null or a missing key.
 */
export function jsonTextAt(json: string, path: string): string {
  const literal = trinoLiteral(path);
  return `coalesce(json_extract_scalar(${json}, ${literal}), nullif(json_format(json_extract(${json}, ${literal})), 'null'))`;
}

/** True when a JSON value is an object (NULL for NULL). */
export function isJsonObject(json: string): string {
  return `(NOT is_json_scalar(${json}) AND json_array_length(${json}) IS NULL)`;
}

/** Text to a scalar type: NULL when it does not convert (the reject check finds those). */
export function castText(text: string, type: AthenaType): string {
  if (type === 'string') return text;
  return `try_cast(${text} AS ${trinoType(type)})`;
}

/** The JSON value at `path` below `json` (`$`: the value itself). */
function jsonAt(json: string, path: string): string {
  return path === '$' ? json : `json_extract(${json}, ${trinoLiteral(path)})`;
}

/** Lambda parameter names must differ between nested arrays. */
let lambdaDepth = 0;

/**
 * A typed value built from the JSON value at `path` below `json`, mirroring the DuckDB builder:
 * struct fields read by their JSON keys (camelCase), scalars converted from their text, arrays
 * element by element; a value of the wrong JSON kind (an array where an object belongs) is NULL.
 */
export function fromJson(json: string, type: AthenaType, path = '$'): string {
  if (typeof type === 'string') return castText(jsonTextAt(json, path), type);
  if ('array' in type) {
    lambdaDepth += 1;
    const item = `x${lambdaDepth}`;
    const element = fromJson(item, type.array);
    lambdaDepth -= 1;
    return `transform(try_cast(${jsonAt(json, path)} AS ARRAY(JSON)), ${item} -> ${element})`;
  }
  return structFromJson(json, type, path);
}

function structFromJson(json: string, type: StructType, path: string): string {
  const fields = type.struct.map((field) =>
    fromJson(json, field.type, `${path}${jsonKeyStep(field.key ?? field.name)}`),
  );
  return `CASE WHEN ${isJsonObject(jsonAt(json, path))} THEN CAST(ROW(${fields.join(', ')}) AS ${trinoType(type)}) END`;
}
