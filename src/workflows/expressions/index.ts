export {
  substitute,
  substituteString,
  tagsOf,
  layered,
  allowAll,
  allowExpressionsOnly,
  allowNone,
  UnresolvedTagError,
  type TagScope,
  type UnresolvedPolicy,
  type UnresolvedReason,
  type SubstituteOptions,
} from './simple.js';
export {
  createExpressionLanguage,
  evaluateExpression,
  renderResult,
  type ExpressionLanguage,
  type ExpressionLanguageOptions,
} from './expression.js';
export { evaluateWhen } from './when.js';
export { LIMITS as EXPRESSION_LIMITS, type ExpressionFailure } from './limits.js';
export { workflowVariables, workflowDuration, type WorkflowIdentity } from './variables.js';
export {
  compileGovaluate,
  goValueText,
  goFloatText,
  type GovaluateExpression,
} from './govaluate.js';
