import { MethodIdParams } from "../params.js";

/**
 * JSON schema for a form body: the named string fields (each with a maximum
 * length) plus the CSRF token, and nothing else. Unknown fields are refused;
 * every named field is required unless listed in `optional`.
 */
export function formSchema(fields: Record<string, number>, optional: string[] = []) {
  return { body: formBody(fields, optional) };
}

/** formSchema for a route with a method id in its path: the id is checked too (src/http/params.ts). */
export function methodFormSchema(fields: Record<string, number>, optional: string[] = []) {
  return { params: MethodIdParams, body: formBody(fields, optional) };
}

/** A GET page with a method id in its path. */
export const methodPageSchema = { params: MethodIdParams };

function formBody(fields: Record<string, number>, optional: string[]) {
  const properties: Record<string, { type: "string"; maxLength: number }> = { _csrf: { type: "string", maxLength: 256 } };
  for (const [name, maxLength] of Object.entries(fields)) properties[name] = { type: "string", maxLength };
  const required = Object.keys(fields).filter((name) => !optional.includes(name));
  return { type: "object", properties, required, additionalProperties: false };
}
