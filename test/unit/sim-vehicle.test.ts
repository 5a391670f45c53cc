import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Vehicle } from '../../src/sim/vehicle.js';
import { hexBytes, simHarness } from '../helpers/sim-harness.js';

/** Reads one engine PID over the wire and decodes it with the SAE J1979 formula given. */
function reader(sim: ReturnType<typeof simHarness>) {
  return (pid: string, decode: (d: number[]) => number): number => {
    const bytes = hexBytes(sim.send(`01${pid}`)[0]);
    assert.equal(bytes[1], parseInt(pid, 16));
    return decode(bytes.slice(2));
  };
}

describe('simulator: vehicle model over a simulated hour', () => {
  it('stays within realistic ranges, as decoded with the J1979 formulas', () => {
    const sim = simHarness();
    sim.send('ATSH7E0');
    const read = reader(sim);
    const seen: Record<string, number[]> = {};
    const note = (name: string, value: number): void => {
      (seen[name] ??= []).push(value);
    };
    for (let t = 0; t <= 3600; t += 5) {
      sim.at(t);
      const rpm = read('0C', ([a, b]) => (256 * a + b) / 4);
      const speed = read('0D', ([a]) => a);
      const maf = read('10', ([a, b]) => (256 * a + b) / 100);
      note('rpm', rpm);
      note('speed', speed);
      note('maf', maf);
      note(
        'coolant',
        read('05', ([a]) => a - 40),
      );
      note(
        'intake',
        read('0F', ([a]) => a - 40),
      );
      note(
        'throttle',
        read('11', ([a]) => (a * 100) / 255),
      );
      note(
        'load',
        read('04', ([a]) => (a * 100) / 255),
      );
      note(
        'fuel',
        read('2F', ([a]) => (a * 100) / 255),
      );
      note(
        'baro',
        read('33', ([a]) => a),
      );
      note(
        'moduleVolts',
        read('42', ([a, b]) => (256 * a + b) / 1000),
      );
      note(
        'timing',
        read('0E', ([a]) => a / 2 - 64),
      );
      note('runTime', read('1F', ([a, b]) => 256 * a + b) - t);
      // Air flow cannot exceed what 3.0 l at this rpm can breathe (generously, 1.3 g/l).
      assert.ok(maf <= (rpm / 120) * 3.0 * 1.3, `MAF ${maf} at ${rpm} rpm`);
      if (speed === 0 && t > 1200) assert.ok(maf >= 2 && maf <= 8, `idle MAF ${maf}`);
    }
    const range = (name: string): [number, number] => [Math.min(...seen[name]), Math.max(...seen[name])];
    const within = (name: string, lo: number, hi: number): void => {
      const [min, max] = range(name);
      assert.ok(min >= lo && max <= hi, `${name} ${min}..${max} outside ${lo}..${hi}`);
    };
    within('rpm', 750, 3500);
    within('speed', 0, 120);
    within('throttle', 0, 100);
    within('load', 0, 100);
    within('intake', -10, 60);
    within('timing', -10, 45);
    within('moduleVolts', 12.4, 14.2);
    assert.deepEqual(range('baro'), [101, 101]);
    assert.deepEqual(range('runTime'), [0, 0], 'run time counts seconds since start');
    // The cycle really drives: standstill, town and motorway, idle and high revs.
    assert.ok(range('speed')[1] >= 115 && range('rpm')[1] >= 2500 && range('rpm')[0] <= 800);
    // Coolant warms from 20 °C to about 90 °C and never cools down.
    const coolant = seen.coolant;
    assert.equal(coolant[0], 20);
    assert.ok(coolant[coolant.length - 1] >= 89 && coolant[coolant.length - 1] <= 90);
    for (let i = 1; i < coolant.length; i++) assert.ok(coolant[i] >= coolant[i - 1]);
    // Fuel level only goes down, slowly.
    const fuel = seen.fuel;
    assert.ok(fuel[0] - fuel[fuel.length - 1] > 3 && fuel[0] - fuel[fuel.length - 1] < 20);
    for (let i = 1; i < fuel.length; i++) assert.ok(fuel[i] <= fuel[i - 1]);
  });

  it('the odometer advances by the integral of the speed', () => {
    let nowMs = 0;
    const vehicle = new Vehicle({ now: () => nowMs });
    const startOdometer = vehicle.state().odometer;
    let km = 0;
    let previous = vehicle.stateAt(0).speed;
    for (let t = 0.5; t <= 3600; t += 0.5) {
      const speed = vehicle.stateAt(t).speed;
      km += ((previous + speed) / 2) * (0.5 / 3600);
      previous = speed;
    }
    nowMs = 3600_000;
    const travelled = vehicle.state().odometer - startOdometer;
    assert.ok(Math.abs(travelled - km) < 0.01 * km, `${travelled} km vs ${km} km`);
  });

  it('is deterministic: the same clock gives the same values', () => {
    const a = new Vehicle({ now: () => 0 });
    const b = new Vehicle({ now: () => 0 });
    for (const t of [0, 17.5, 600, 1234.25, 3599]) assert.deepEqual(a.stateAt(t), b.stateAt(t));
  });

  it('the transmission reports the gear that fits the speed', () => {
    const sim = simHarness();
    sim.send('ATSH7E1');
    for (let t = 0; t <= 600; t += 10) {
      sim.at(t);
      const speed = hexBytes(sim.send('010D')[0])[2];
      const a4 = hexBytes(sim.send('01A4')[0]).slice(2);
      const gear = a4[1] >> 4;
      const ratio = (256 * a4[2] + a4[3]) / 1000;
      assert.equal(a4[0] & 0x02, 0x02, 'actual gear supported');
      assert.ok(gear >= 1 && gear <= 6);
      if (speed <= 5) assert.equal(gear, 1);
      if (speed >= 100) assert.equal(gear, 6);
      assert.ok(ratio >= 1 && ratio <= 5, String(ratio));
    }
  });
});
