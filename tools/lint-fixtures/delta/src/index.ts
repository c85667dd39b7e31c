// Lint fixture (tools/lint-fixtures/README.md): a context whose scope eslint.config.mjs does not map, so every file here fails the lint.
export const delta = 'delta';
