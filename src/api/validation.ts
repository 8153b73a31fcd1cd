import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS: under NodeNext its function is the default export's `default`.
type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats: FormatsPlugin =
  (addFormatsModule as unknown as { default?: FormatsPlugin }).default ??
  (addFormatsModule as unknown as FormatsPlugin);

const shared: Options = {
  // Unknown fields are refused (not silently dropped), every problem is reported at once,
  // and `verbose` hands over the schema so a refusal can list the allowed fields.
  removeAdditional: false,
  allErrors: true,
  verbose: true,
  useDefaults: true,
  strict: false,
};

/**
 * Validators for request parts. Query strings and path parameters arrive as
 * text and are coerced to their schema's types; a JSON body is taken as sent,
 * so `{"region": 5}` is refused rather than read as "5".
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strictAjv = new Ajv({ ...shared, coerceTypes: false });
  const coercingAjv = new Ajv({ ...shared, coerceTypes: 'array' });
  addFormats(strictAjv);
  addFormats(coercingAjv);
  return ({ schema, httpPart }) =>
    (httpPart === 'body' ? strictAjv : coercingAjv).compile(schema as object);
}
