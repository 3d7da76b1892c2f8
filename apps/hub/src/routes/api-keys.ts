import { AerialError } from '@aerial/contracts';
import type { FastifyPluginAsync, preHandlerHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { API_KEY_KINDS, type ApiKeys } from '../auth/api-keys';
import { ErrorBodySchema, notFound } from './errors';

export interface ApiKeyRoutesOptions {
  readonly keys: ApiKeys;
  /** Refuses requests without an admin key. */
  readonly requireAdminKey: preHandlerHookHandler;
}

const ApiKeyInfoSchema = z.object({
  keyId: z.string(),
  label: z.string(),
  kind: z.enum(API_KEY_KINDS),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
const KeyParams = z.object({ keyId: z.string().regex(/^[a-f0-9]{16}$/, 'must be a key id (16 hex digits)') });
const refused = { 401: ErrorBodySchema, 403: ErrorBodySchema };

/**
 * API keys, for admin keys only: create one (its secret is in this response and nowhere else),
 * list them (never a secret or a hash), revoke one. The last admin key cannot be revoked: nobody
 * could make keys any more.
 */
export const apiKeyRoutes: FastifyPluginAsync<ApiKeyRoutesOptions> = async (plain, options) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { keys } = options;
  const guarded = { preValidation: options.requireAdminKey };

  app.post(
    '/api/keys',
    {
      ...guarded,
      schema: {
        summary: 'Create an API key; its secret is shown in this response only',
        description:
          'Kinds: `read` (GET only), `write` (also start, cancel and retry jobs and upload), `admin` (also manage keys).',
        tags: ['keys'],
        security: [{ apiKey: [] }],
        body: z.object({
          label: z.string().trim().min(1).max(200).describe('what the key is for, e.g. "CI uploads"'),
          kind: z.enum(API_KEY_KINDS).default('read'),
        }),
        response: { 201: ApiKeyInfoSchema.extend({ key: z.string() }), 400: ErrorBodySchema, ...refused },
      },
    },
    async (request, reply) => {
      const { key, info } = await keys.create(request.body.label, request.body.kind);
      return reply.code(201).send({ ...info, key });
    },
  );

  app.get(
    '/api/keys',
    {
      ...guarded,
      schema: {
        summary: 'List API keys, newest first (never their secrets)',
        tags: ['keys'],
        security: [{ apiKey: [] }],
        response: { 200: z.object({ keys: z.array(ApiKeyInfoSchema) }), ...refused },
      },
    },
    async () => ({ keys: await keys.list() }),
  );

  app.post(
    '/api/keys/:keyId/revoke',
    {
      ...guarded,
      schema: {
        summary: 'Revoke an API key: it is refused from now on',
        tags: ['keys'],
        security: [{ apiKey: [] }],
        params: KeyParams,
        response: { 200: z.object({ keyId: z.string() }), 404: ErrorBodySchema, 409: ErrorBodySchema, ...refused },
      },
    },
    async (request) => {
      const { keyId } = request.params;
      const target = (await keys.list()).find((k) => k.keyId === keyId);
      if (!target) throw notFound(`API key ${keyId}`);
      if (target.kind === 'admin' && !target.revokedAt && (await keys.otherAdmins(keyId)) === 0)
        throw Object.assign(
          new AerialError(
            'Aerial.InvalidInput',
            `key ${keyId} is the last admin key`,
            'create another admin key first, then revoke this one',
          ),
          { statusCode: 409 },
        );
      await keys.revoke(keyId);
      return { keyId };
    },
  );
};
