/**
 * Request validation: query strings and path parameters are text, so their values are coerced to the
 * schema's types ("50" → 50). JSON bodies are not: with Fastify's default coercion `false` became 0 and
 * `0` became null, so a retention policy of `{"keepManual": false}` meant "keep no manual backups".
 * A body whose types are wrong is a 400, and so is one with a field its schema does not know (a
 * misspelt `maxAgeDay` would otherwise be dropped and the request succeed without doing what was meant).
 */
import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

type ValidatorFactory = NonNullable<
  NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']
>;
// @fastify/ajv-compiler's declared types describe the compiler as taking a bare schema; at runtime (and
// in Fastify's own use) it takes the route definition. These are the runtime shapes.
interface RouteSchema {
  schema: unknown;
  method: string;
  url: string;
  httpPart?: string;
}
type CompileForRoute = (route: RouteSchema) => unknown;
type CompilerPool = (externalSchemas: unknown, options: { customOptions?: object }) => CompileForRoute;

const newPool = () => AjvCompiler() as unknown as CompilerPool;

const splitByPart: CompilerPool = (externalSchemas, ajvOptions) => {
  const coercing = newPool()(externalSchemas, ajvOptions);
  // unknown body fields are refused (where a schema says `additionalProperties: false`), not silently dropped
  const strict = newPool()(externalSchemas, {
    ...ajvOptions,
    customOptions: { ...ajvOptions.customOptions, coerceTypes: false, removeAdditional: false },
  });
  return (route) => (route.httpPart === 'body' ? strict(route) : coercing(route));
};

export const buildValidator = splitByPart as unknown as ValidatorFactory;
