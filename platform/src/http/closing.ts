import { setMaxListeners } from 'node:events';

const controllers = new WeakMap<object, AbortController>();

function controllerOf(app: object): AbortController {
  let controller = controllers.get(app);
  if (!controller) {
    controller = new AbortController();
    // Every open stream listens on it; thousands of them are expected, not a leak.
    setMaxListeners(0, controller.signal);
    controllers.set(app, controller);
  }
  return controller;
}

/**
 * Aborted when the app's server begins to close. Long-lived responses (server-sent events)
 * never finish by themselves, so the drain would wait for them until the shutdown timeout;
 * a streaming handler ends its response on this signal instead.
 */
export function closingSignal(app: object): AbortSignal {
  return controllerOf(app).signal;
}

/** Tells the app's streaming responses to end (listen()'s close() does it first). */
export function signalClosing(app: object): void {
  controllerOf(app).abort();
}
