import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { NotFoundError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import type { Platform } from '../platform/index.js';
import { registerAuditTrail } from './audit.js';
import { registerBearerAuth } from './auth.js';
import { registerIdempotency } from './idempotency.js';
import { WRITE_METHODS } from './write-hooks.js';
import { metricsRoute, registerMetrics, type MetricSources } from './metrics.js';
import { sendProblem } from './problem.js';
import { createValidatorCompiler } from './validation.js';
import { lazyRequestLogger } from './request-logger.js';
import { applicationRoutes } from './routes/applications.js';
import { environmentRoutes } from './routes/environments.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { catalogRoutes } from './routes/catalog.js';
import { infrastructureRoutes } from './routes/infrastructure.js';
import { requestRoutes } from './routes/requests.js';
import { runRoutes } from './routes/runs.js';
import { auditRoutes } from './routes/audit.js';
import { tokenRoutes } from './routes/tokens.js';
import { workflowRoutes } from './routes/workflows.js';

/** What the API needs; the composition root provides it. */
export interface ApiOptions {
  platform: Platform;
  logger: Logger;
  /** Shown in the OpenAPI document. */
  version?: string;
  /** Largest request body, in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Bus gauges for `/metrics` (queue depth, event lag), when the bus can tell. */
  metrics?: MetricSources;
}

const REDACTED = '[redacted]';
const secretHeaders = new Set(['authorization', 'cookie', 'proxy-authorization']);

/**
 * One line per answered request (Fastify's own two are off): writes and
 * refusals at info, failures at error, successful reads at debug, so that
 * reads, most of the traffic, cost no log write at the default level.
 */
function logAnswer(request: FastifyRequest, reply: FastifyReply): void {
  const status = reply.statusCode;
  const level =
    status >= 500 ? 'error' : status >= 400 || WRITE_METHODS.has(request.method) ? 'info' : 'debug';
  request.log[level](
    {
      method: request.method,
      url: request.url,
      statusCode: status,
      responseTime: reply.elapsedTime,
      remoteAddress: request.ip,
    },
    'request answered',
  );
}

function requestForLog(request: FastifyRequest) {
  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name] = secretHeaders.has(name) ? REDACTED : value;
  }
  return { method: request.method, url: request.url, remoteAddress: request.ip, headers };
}

/**
 * Builds the HTTP API (not listening): `/api/v1` behind bearer auth, health
 * probes, the OpenAPI 3.1 document at `/openapi.json` and Swagger UI at `/docs`.
 */
export function buildApi(opts: ApiOptions): FastifyInstance {
  const { platform } = opts;
  const app = Fastify({
    loggerInstance: opts.logger.child(
      { component: 'api' },
      { serializers: { req: requestForLog } },
    ) as FastifyBaseLogger,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    childLoggerFactory: lazyRequestLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
  });

  app.setValidatorCompiler(createValidatorCompiler());
  app.decorateRequest('principal', null);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    logAnswer(request, reply);
    done();
  });
  const registry = registerMetrics(app, platform, opts.metrics);
  app.setErrorHandler((err, request, reply) => sendProblem(err, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      new NotFoundError(`there is no ${request.method} ${request.url.split('?')[0]}`),
      request,
      reply,
    ),
  );

  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Plinth',
        description:
          'A self-service internal developer platform: request environments and follow the runs that create them.',
        version: opts.version ?? '0.0.0',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A Plinth token.' },
        },
      },
      tags: [
        { name: 'environments', description: 'Environments and their requests' },
        { name: 'applications', description: 'Applications, their deployments and configuration' },
        { name: 'requests', description: 'What was asked for, and its runs' },
        { name: 'catalog', description: 'The request kinds and the JSON Schemas of their input' },
        {
          name: 'infrastructure',
          description: "Resources of the catalog's kinds (compute, storage, database, ...)",
        },
        { name: 'runs', description: 'Workflows: status, logs, approvals' },
        {
          name: 'workflows',
          description:
            'Argo Workflows: submit, list, get, logs, suspend, resume, stop, terminate, retry, resubmit, delete',
        },
        {
          name: 'events',
          description: "Every event with each sensor's decision about it, and replay",
        },
        { name: 'access', description: 'Tokens, teams and the audit log' },
        { name: 'health', description: 'Probes and metrics' },
      ],
    },
  });
  void app.register(swaggerUi, { routePrefix: '/docs' });

  // Routes go in plugins so they load after swagger, which documents them as they are added.
  void app.register(async (root) => {
    root.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    healthRoutes(root, platform);
    metricsRoute(root, registry);
  });
  void app.register(
    async (api) => {
      registerBearerAuth(api, platform);
      registerIdempotency(api, platform);
      registerAuditTrail(api, platform);
      tokenRoutes(api, platform);
      auditRoutes(api, platform);
      environmentRoutes(api, platform);
      applicationRoutes(api, platform);
      requestRoutes(api, platform);
      runRoutes(api, platform);
      workflowRoutes(api, platform);
      eventRoutes(api, platform);
      catalogRoutes(api, platform);
      infrastructureRoutes(api, platform);
    },
    { prefix: '/api/v1' },
  );
  return app;
}
