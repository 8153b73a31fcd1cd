export { compileTables, type CompiledTables, type FieldShape, type FieldTables } from './shape.js';
export { workflowFieldTables } from './workflows.js';
export { eventFieldTables } from './events.js';
export { eventEnums, workflowEnums, type EnumTables } from './enums.js';
export { plinthExtensions, plinthExtensionTypes } from './extensions.js';
