// Lint fixture (tools/lint-fixtures/README.md): a context that knows no other context.
export const gamma = 'gamma';
