// Creates a PGlite database in a new folder (its initdb) and exits: ./thread.ts runs it as a
// process of its own before it opens the folder. PGlite keeps initdb's WebAssembly memory
// for as long as the instance that ran it lives, about 450 MB, which a process that then
// serves for days would hold and never use. Plain CommonJS, as worker.cjs is.
'use strict';
const { PGlite } = require('@electric-sql/pglite');

const main = async () => {
  const db = await PGlite.create(process.argv[2]);
  await db.close();
};

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
