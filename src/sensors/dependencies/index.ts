export { matchDependency, type DependencyMatch } from './match.js';
export {
  offerDependency,
  planTrigger,
  resetHeld,
  type PendingEvents,
  type OfferOutcome,
  type TriggerPlan,
  type TriggerHeld,
  type HeldEvent,
} from './state.js';
export {
  createScriptRunner,
  renderFilterTemplate,
  type ScriptRunner,
  type TemplateRenderer,
  type FilterTools,
} from './filters/index.js';
export { parseConditions, type Conditions } from './conditions.js';
export { parseCron, type CronSchedule } from './cron.js';
export { compileGovaluate, type GovaluateExpression } from '../../workflows/index.js';
