/**
 * Handlebars, loaded the first time a config holds a template: most configs have none, and
 * the package costs ~2 MB of memory a gateway would otherwise carry for nothing.
 */
import { createRequire } from 'node:module';
import type HandlebarsModule from 'handlebars';

export type Handlebars = typeof HandlebarsModule;

let loaded: Handlebars | null = null;

export function handlebars(): Handlebars {
  // A CommonJS package, so it can be loaded synchronously, where a template is first met.
  loaded ??= createRequire(import.meta.url)('handlebars') as Handlebars;
  return loaded;
}
