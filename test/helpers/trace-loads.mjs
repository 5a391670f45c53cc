// Loaded with `node --import` by test/e2e/lazy-loading.test.ts: appends the URL or path of every
// module the process loads (ES modules through a resolve hook, CommonJS through Module._load) to
// the file named by OBDIO_TRACE_LOADS, one per line.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const file = process.env.OBDIO_TRACE_LOADS;
if (file) {
  register(
    `data:text/javascript,${encodeURIComponent(`
      import { appendFileSync } from 'node:fs';
      export async function resolve(specifier, context, next) {
        const result = await next(specifier, context);
        appendFileSync(${JSON.stringify(file)}, result.url + '\\n');
        return result;
      }`)}`,
  );
  const load = Module._load;
  Module._load = function (request, parent, isMain) {
    const exports = load.apply(this, arguments);
    try {
      appendFileSync(file, `${Module._resolveFilename(request, parent, isMain)}\n`);
    } catch {
      // a builtin or an unresolvable name: nothing to record
    }
    return exports;
  };
}
