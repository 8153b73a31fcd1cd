export { buildApi, type ApiOptions } from './app.js';
export type { Problem } from './problem.js';
