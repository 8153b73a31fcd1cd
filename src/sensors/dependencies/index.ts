export { matchDependency, type DependencyMatch } from './match.js';
export { offerDependency, type PendingEvents, type OfferOutcome } from './state.js';
