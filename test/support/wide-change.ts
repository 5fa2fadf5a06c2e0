import { TempRepo } from './git-repo.ts';
import { REGISTRY_YAML, stackFiles } from './registry-fixture.ts';

/**
 * A repository whose last commit adds 400 stacks in two waves of 200: aws/platform/dev/pNNN
 * (wave 0) and aws/search/dev/sNNN, which run after every platform stack of their env (wave 1).
 * For the matrix limit tests of the CLI and the detect action.
 */
export function twoWavesOf200(): { repo: TempRepo; base: string } {
  const repo = new TempRepo();
  repo.write({
    'idlc.yaml': REGISTRY_YAML.replace(
      'dependencies:\n',
      'dependencies:\n  - stacks: "aws/search/{env}/*"\n    after: ["aws/platform/{env}/*"]\n',
    ),
  });
  const base = repo.commit('registry');
  const files: Record<string, string> = {};
  for (let i = 0; i < 200; i++) {
    const n = String(i).padStart(3, '0');
    Object.assign(files, stackFiles(`idlc/aws/environments/platform/dev/p${n}`));
    Object.assign(files, stackFiles(`idlc/aws/environments/search/dev/s${n}`));
  }
  repo.write(files).commit('400 stacks');
  return { repo, base };
}
