// Values can arrive 100 times a second; the screen changes at most once a frame. Work queued
// here runs once in the next animation frame, however often it was asked for.

const jobs = new Set();
let scheduled = false;

function run() {
  scheduled = false;
  const batch = [...jobs];
  jobs.clear();
  for (const job of batch) {
    try {
      job();
    } catch (error) {
      console.error('dashboard: frame job failed', error);
    }
  }
}

/** Runs `job` in the next animation frame (once, even if scheduled many times before then). */
export function onNextFrame(job) {
  jobs.add(job);
  if (!scheduled) {
    scheduled = true;
    requestAnimationFrame(run);
  }
}
