import fs from 'node:fs';
import path from 'node:path';
import { packageRoot, renderConfigurationDoc } from '../src/config/index.js';
import { renderErrorsDoc } from '../src/errors/index.js';

fs.writeFileSync(path.join(packageRoot, 'docs', 'configuration.md'), renderConfigurationDoc());
fs.writeFileSync(path.join(packageRoot, 'docs', 'errors.md'), renderErrorsDoc());
