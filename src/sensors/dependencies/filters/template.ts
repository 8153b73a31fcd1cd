import { goValueFromJson, renderGoTemplate } from '../../parameters/gotemplate/index.js';
import type { TemplateRenderer } from './data.js';

/** Data filters' `template`: Go's text/template with sprig, as Argo renders it. */
export const renderFilterTemplate: TemplateRenderer = (template, data) =>
  renderGoTemplate(template, goValueFromJson(data));
