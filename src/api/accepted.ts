import type { FastifyReply } from 'fastify';

/** Answers an accepted request: 202 with `Location` pointing where to follow it. */
export function sendAccepted<T extends { links: { self: string } }>(
  reply: FastifyReply,
  accepted: T,
): FastifyReply {
  return reply.code(202).header('location', accepted.links.self).send(accepted);
}
