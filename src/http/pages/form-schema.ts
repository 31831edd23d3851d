import { Type, type TObject, type TOptional, type TString } from "@sinclair/typebox";
import { MethodIdParams } from "../params.js";

/** A form body's properties: each named field a string, the optional ones and the CSRF token optional. */
type FormProperties<Field extends string, Optional extends Field> = {
  [Name in Field | "_csrf"]: Name extends Optional | "_csrf" ? TOptional<TString> : TString;
};

/** The body schema of a form, typed by its field names: `request.body.email` is a string, an optional field `string | undefined`. */
export type FormBody<Field extends string, Optional extends Field = never> = TObject<FormProperties<Field, Optional>>;

/**
 * JSON schema for a form body: the named string fields (each with a maximum
 * length) plus the CSRF token, and nothing else. Unknown fields are refused;
 * every named field is required unless listed in `optional`.
 */
export function formSchema<Field extends string, Optional extends Field = never>(fields: Record<Field, number>, optional: readonly Optional[] = []) {
  return { body: formBody(fields, optional) };
}

/** formSchema for a route with a method id in its path: the id is checked too (src/http/params.ts). */
export function methodFormSchema<Field extends string, Optional extends Field = never>(fields: Record<Field, number>, optional: readonly Optional[] = []) {
  return { params: MethodIdParams, body: formBody(fields, optional) };
}

/** A GET page with a method id in its path. */
export const methodPageSchema = { params: MethodIdParams };

function formBody<Field extends string, Optional extends Field>(fields: Record<Field, number>, optional: readonly Optional[]): FormBody<Field, Optional> {
  const isOptional = (name: string): name is Optional => (optional as readonly string[]).includes(name);
  const properties: Record<string, TString | TOptional<TString>> = { _csrf: Type.Optional(Type.String({ maxLength: 256 })) };
  for (const [name, maxLength] of Object.entries<number>(fields)) {
    const field = Type.String({ maxLength });
    properties[name] = isOptional(name) ? Type.Optional(field) : field;
  }
  // The loop above builds exactly FormProperties<Field, Optional>; TypeScript cannot follow a loop over keys.
  return Type.Object(properties as FormProperties<Field, Optional>, { additionalProperties: false });
}
