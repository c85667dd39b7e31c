// Runs ESLint's Node API for module-boundaries.unit.spec.ts, in a plain Node process:
// ESLint loads eslint.config.mjs with import(), which jest's module sandbox refuses
// without --experimental-vm-modules (and jest 30 also wraps createRequire and
// process.getBuiltinModule, so the test cannot step outside the sandbox itself).
// stdin: [{ filePath, code }]; stdout: for each, its messages as { ruleId, message },
// as JSON on the last line (a rule may print warnings before it).
import { ESLint } from 'eslint';

let input = '';
for await (const chunk of process.stdin) input += chunk;

const eslint = new ESLint({ cwd: process.cwd() });
const output = [];
for (const { filePath, code } of JSON.parse(input)) {
  const [result] = await eslint.lintText(code, { filePath });
  output.push(result.messages.map(({ ruleId, message }) => ({ ruleId, message })));
}
process.stdout.write(`\n${JSON.stringify(output)}\n`);
