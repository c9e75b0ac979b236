// Polling for lists: every `every` ms while the tab is visible; after an error the wait doubles up to 30 s,
// and the first success brings it back. A hidden tab polls nothing; showing it again polls at once. A failure is
// shown at the top of the page until the next success clears it.
import { pollFailed, pollSucceeded } from './app.js';

const MAX = 30000;

export function poll(fn, every = 2000) {
  let wait = every;
  let timer = null;
  let stopped = false;
  let running = false;

  async function tick() {
    timer = null;
    if (stopped || running) return;
    if (document.hidden) return;
    running = true;
    try {
      await fn();
      wait = every;
      pollSucceeded();
    } catch (e) {
      if (e.name !== 'AbortError') {
        wait = Math.min(wait * 2, MAX);
        pollFailed(e.message);
      }
    } finally {
      running = false;
    }
    if (!stopped) timer = setTimeout(tick, wait);
  }

  function onVisible() {
    if (!document.hidden && !timer && !running) tick();
  }
  document.addEventListener('visibilitychange', onVisible);
  tick();
  return {
    now() { if (timer) clearTimeout(timer); timer = null; tick(); },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    },
  };
}
