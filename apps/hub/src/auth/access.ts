import type { FastifyReply, FastifyRequest, onRequestHookHandler, preHandlerHookHandler } from 'fastify';
import { allows, type ApiKeyKind, type ApiKeys, type VerifiedKey } from './api-keys';

/**
 * The cookie the page sets beside its Authorization header: an EventSource, MapLibre's tile
 * requests and a download link cannot send headers. It is honoured for reads only, so a page on
 * another site can make a browser send it but can never change anything with it (no CSRF).
 */
export const KEY_COOKIE = 'aerial_key';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified API key the request came with, once a key check ran. */
    apiKey?: VerifiedKey;
  }
}

/** Who may do what: the hooks routes put in front of their handlers. */
export interface Access {
  /** Any valid key of at least `kind`: 401 without a valid key, 403 with one of a lesser kind. */
  require(kind: ApiKeyKind): preHandlerHookHandler;
  /** With `requireKeyForReads`, a read key for every GET/HEAD of `/api/` and `/tiles/`. */
  readonly reads: onRequestHookHandler;
}

export function access(keys: ApiKeys, o: { requireKeyForReads: boolean }): Access {
  const check = async (request: FastifyRequest, reply: FastifyReply, kind: ApiKeyKind) => {
    const key = await keys.verify(presentedKey(request));
    if (!key)
      return reply.code(401).send({
        error: {
          name: 'Aerial.InvalidInput',
          reason: 'a valid API key is required',
          remedy: 'send Authorization: Bearer aerial_<id>_<secret> with a key that is not revoked',
        },
      });
    request.apiKey = key;
    if (!allows(key.kind, kind))
      return reply.code(403).send({
        error: {
          name: 'Aerial.InvalidInput',
          reason: `this ${key.kind} key cannot do this: it needs a key of kind ${kind}`,
          remedy: `use a key of kind ${kind}${kind === 'admin' ? '' : ' or admin'}; an admin key can create one`,
        },
      });
  };
  return {
    require: (kind) => async (request, reply) => check(request, reply, kind),
    reads: async (request, reply) => {
      if (!o.requireKeyForReads || (request.method !== 'GET' && request.method !== 'HEAD')) return;
      // The route the router matched, not the URL as sent: the router decodes `%61pi` to `api`,
      // so a prefix test on the raw URL would let `/%61pi/jobs` through.
      const route = request.routeOptions.url ?? '';
      if (route.startsWith('/api/') || route.startsWith('/tiles/')) return check(request, reply, 'read');
    },
  };
}

/** The Authorization bearer key; for reads also the page's cookie. */
function presentedKey(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === KEY_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}
