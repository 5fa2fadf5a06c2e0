/**
 * The provider cache of plan and apply jobs through @actions/cache. Apart from the action edge
 * because @actions/cache (and the Azure storage client under it) is most of a bundle: only the
 * actions that cache providers import it.
 */
import * as cache from '@actions/cache';
import type { CacheService } from '../engine/run-stacks.ts';

export function providerCache(enabled: boolean): CacheService | undefined {
  if (!enabled || !cache.isFeatureAvailable()) return undefined;
  return {
    restore: (paths, key, restoreKeys) => cache.restoreCache(paths, key, restoreKeys),
    save: async (paths, key) => {
      await cache.saveCache(paths, key);
    },
  };
}
