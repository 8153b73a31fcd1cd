export {
  substitute,
  substituteString,
  tagsOf,
  layered,
  allowAll,
  allowExpressionsOnly,
  UnresolvedTagError,
  type TagScope,
  type UnresolvedPolicy,
} from './simple.js';
