// The one event emitter of the client: SignalingClient, Call and the media transports extend it.

export class Emitter {
  constructor() {
    /** @type {Map<string, Function[]>} */
    this.handlers = new Map();
  }

  /** @param {string} event @param {(...args: any[]) => void} handler */
  on(event, handler) {
    if (!this.handlers.has(event)) this.handlers.set(event, []);
    this.handlers.get(event).push(handler);
    return this;
  }

  /** @param {string} event @param {...any} args */
  emit(event, ...args) {
    for (const handler of this.handlers.get(event) || []) handler(...args);
  }
}
