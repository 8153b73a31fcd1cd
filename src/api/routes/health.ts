import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { PlinthError } from '../../errors/index.js';
import type { Platform } from '../../platform/index.js';
import { unavailable } from '../schemas.js';

const Ok = Type.Object({ status: Type.Literal('ok') });

export function healthRoutes(app: FastifyInstance, platform: Platform): void {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness: the process answers',
        response: { 200: Ok },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: the store answers',
        response: { 200: Ok, 503: unavailable },
      },
    },
    async () => {
      try {
        await platform.checkReady();
      } catch (err) {
        throw new PlinthError('UNAVAILABLE', 'the store does not answer', { cause: err });
      }
      return { status: 'ok' as const };
    },
  );
}
