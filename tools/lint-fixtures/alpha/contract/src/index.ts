// Lint fixture (tools/lint-fixtures/README.md): what other contexts may import from alpha.
export type AlphaPinged = { type: 'AlphaPinged'; data: { at: string } };
