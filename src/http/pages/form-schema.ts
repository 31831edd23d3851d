/**
 * JSON schema for a form body: the named string fields (each with a maximum
 * length) plus the CSRF token, and nothing else. Unknown fields are refused;
 * every named field is required unless listed in `optional`.
 */
export function formSchema(fields: Record<string, number>, optional: string[] = []) {
  const properties: Record<string, { type: "string"; maxLength: number }> = { _csrf: { type: "string", maxLength: 256 } };
  for (const [name, maxLength] of Object.entries(fields)) properties[name] = { type: "string", maxLength };
  const required = Object.keys(fields).filter((name) => !optional.includes(name));
  return { body: { type: "object", properties, required, additionalProperties: false } };
}
