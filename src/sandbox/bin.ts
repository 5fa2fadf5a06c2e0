/** Entry of the sandbox bundle: `node dist/sandbox/sandbox.cjs demo [--out DIR] …`. */
import { main } from './main.ts';

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((err: unknown) => {
    process.stderr.write(`idlc sandbox: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(2);
  });
