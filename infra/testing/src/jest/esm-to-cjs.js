// Jest (before Node 24.9) loads modules as CommonJS and cannot require an ES module.
// @platformatic/kafka and its own packages are ES modules only, so jest compiles them to
// CommonJS with esbuild (the compiler tsx runs on, at its version), `import.meta.url`
// being the file's own URL. Node runs them as they are outside jest.
const { transformSync } = require('esbuild');

const IMPORT_META_URL = '__esmToCjsImportMetaUrl';

module.exports = {
  process(source, filename) {
    const { code, map } = transformSync(source, {
      format: 'cjs',
      loader: 'js',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: filename,
      define: { 'import.meta.url': IMPORT_META_URL },
      banner: `const ${IMPORT_META_URL} = require('node:url').pathToFileURL(__filename).href;`,
    });
    return { code, map };
  },
};
