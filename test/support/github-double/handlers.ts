/**
 * The registration point of the double's REST handlers: every handler file exports one map
 * `operationId → Handler`, and this list merges them. A new file of handlers adds ONE line
 * below (and its operations' rows to permissions.ts, which a test checks).
 */
import { actionsHandlers } from './rest-actions.ts';
import { adminHandlers } from './rest-admin.ts';
import { appHandlers } from './rest-apps.ts';
import { coreHandlers } from './rest-handlers.ts';
import type { Handler, HandlerMap } from './rest-kit.ts';
import { pullHandlers } from './rest-pulls.ts';
import { reviewHandlers } from './rest-reviews.ts';

const HANDLER_MAPS: HandlerMap[] = [
  coreHandlers,
  actionsHandlers,
  reviewHandlers,
  adminHandlers,
  appHandlers,
  pullHandlers,
];

function merge(maps: HandlerMap[]): HandlerMap {
  const all: HandlerMap = {};
  for (const map of maps) {
    for (const [operationId, handler] of Object.entries(map)) {
      if (all[operationId]) throw new Error(`github double: two handler files implement ${operationId}`);
      all[operationId] = handler;
    }
  }
  return all;
}

const handlers = merge(HANDLER_MAPS);

export function restHandler(operationId: string): Handler | undefined {
  return handlers[operationId];
}

export const IMPLEMENTED_OPERATIONS = Object.keys(handlers).sort();
