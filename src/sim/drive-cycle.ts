/**
 * The simulated car's speed over time: a repeating ten-minute cycle of idling, town driving
 * and a motorway run (0–120 km/h). Segments ease in and out with a half cosine, so speed and
 * acceleration are continuous, and the distance travelled has a closed form: the model never
 * integrates step by step, so any instant can be evaluated directly and cheaply.
 */

/** One stretch of the cycle: speed goes from `from` to `to` (km/h) between two times (s). */
interface Segment {
  readonly start: number;
  readonly end: number;
  readonly from: number;
  readonly to: number;
  /** Peak of a gentle speed ripple on constant-speed stretches (km/h); 0 for none. */
  readonly ripple: number;
}

/** [time s, speed km/h, ripple on the stretch that starts here]. */
const KEYFRAMES: ReadonlyArray<readonly [number, number, number]> = [
  [0, 0, 0], // idle after the start
  [20, 0, 0],
  [50, 50, 1.5], // town speed
  [140, 50, 0],
  [170, 0, 0], // traffic light
  [190, 0, 0],
  [250, 118, 2], // motorway (peaks at 120 with the ripple)
  [400, 118, 0],
  [460, 70, 1], // slower road
  [520, 70, 0],
  [580, 0, 0], // stop, idle to the end of the cycle
  [600, 0, 0],
];

const SEGMENTS: readonly Segment[] = KEYFRAMES.slice(0, -1).map(([start, from, ripple], i) => {
  const [end, to] = KEYFRAMES[i + 1];
  return { start, end, from, to, ripple: from === to && from > 0 ? ripple : 0 };
});

/** Length of one cycle, in seconds. */
export const CYCLE_SECONDS = KEYFRAMES[KEYFRAMES.length - 1][0];

/** Ripple cycles per constant-speed stretch: whole periods, so the ripple is 0 at both ends. */
const RIPPLE_PERIODS = 3;

function segmentAt(tInCycle: number): Segment {
  for (const segment of SEGMENTS) if (tInCycle < segment.end) return segment;
  return SEGMENTS[SEGMENTS.length - 1];
}

/** Speed (km/h) and acceleration (km/h per second) at `tInCycle`, a time inside one cycle. */
function motionInCycle(tInCycle: number): { speed: number; accel: number } {
  const s = segmentAt(tInCycle);
  const span = s.end - s.start;
  const u = (tInCycle - s.start) / span;
  const delta = s.to - s.from;
  const w = 2 * Math.PI * RIPPLE_PERIODS;
  const speed = s.from + (delta * (1 - Math.cos(Math.PI * u))) / 2 + s.ripple * Math.sin(w * u);
  const accel = (delta * Math.PI * Math.sin(Math.PI * u)) / (2 * span) + (s.ripple * w * Math.cos(w * u)) / span;
  return { speed: Math.max(0, speed), accel };
}

/** Distance (km) covered from the start of a segment to its fraction `u`. */
function segmentDistance(s: Segment, u: number): number {
  const span = s.end - s.start;
  const delta = s.to - s.from;
  const w = 2 * Math.PI * RIPPLE_PERIODS;
  // ∫ speed dt, in km/h·s, divided by 3600 for km.
  const kmhSeconds = span * (s.from * u + delta * (u / 2 - Math.sin(Math.PI * u) / (2 * Math.PI)) + (s.ripple * (1 - Math.cos(w * u))) / w);
  return kmhSeconds / 3600;
}

const CYCLE_KM = SEGMENTS.reduce((sum, s) => sum + segmentDistance(s, 1), 0);

/** Speed (km/h, ≥ 0) and acceleration (km/h/s) at `t` seconds since the start. */
export function motionAt(t: number): { speed: number; accel: number } {
  return motionInCycle(positiveModulo(t, CYCLE_SECONDS));
}

/** Distance travelled (km) from the start to `t` seconds. */
export function distanceAt(t: number): number {
  if (t <= 0) return 0;
  const cycles = Math.floor(t / CYCLE_SECONDS);
  const tIn = t - cycles * CYCLE_SECONDS;
  let km = cycles * CYCLE_KM;
  for (const s of SEGMENTS) {
    if (tIn >= s.end) km += segmentDistance(s, 1);
    else {
      km += segmentDistance(s, (tIn - s.start) / (s.end - s.start));
      break;
    }
  }
  return km;
}

function positiveModulo(value: number, modulus: number): number {
  return ((value % modulus) + modulus) % modulus;
}
