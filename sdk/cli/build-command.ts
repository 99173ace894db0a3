/**
 * @module
 * `wasmbase build`: compiles the module project in this folder (or a parent) to
 * `build/<database>.wasm`. Errors are `file:line:col: message` lines, exit code 1.
 */
import { Command } from 'commander';
import { say, UsageError, withExamples } from './client.js';
import { buildProject, findProject } from './project.js';

export function buildCommand(): Command {
  const cmd = new Command('build')
    .description('compile the module project here to build/<database>.wasm')
    .option('--debug', 'a debug build (names, no optimisation)', false)
    .action(async (opts: { debug: boolean }) => {
      const project = findProject(process.cwd());
      if (project === undefined)
        throw new UsageError(
          'no wasmbase.json here or above: create a project with "wasmbase init <dir>" ' +
            '(the modules of this repository build with "wasmbase build-modules")',
        );
      const out = await buildProject(project, say, opts.debug);
      process.stdout.write(out + '\n');
    });
  return withExamples(cmd, 'wasmbase build', 'wasmbase build --debug');
}
