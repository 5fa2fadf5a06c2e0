import { runCli } from './main.ts';

// `idlc stacks | head` closes the pipe early: that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

runCli(process.argv.slice(2)).then((code) => {
  // Exit once output is flushed: the wasm HCL parser's Go runtime keeps timers alive that
  // would otherwise hold the process open for up to a second after the work is done.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
});
