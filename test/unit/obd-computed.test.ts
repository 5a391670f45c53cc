/**
 * Computed commands (obd/computed.ts): expressions over other commands' values, integrals and
 * time-weighted averages, their checks at load time and their trip reset.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OBDCommand, OBDResponse } from '../../src/obd/command.js';
import { commandByName } from '../../src/obd/commands/index.js';
import { computeResponse, computedSources, MAX_SAMPLE_GAP_MS, resetComputed, type ComputedSpec } from '../../src/obd/computed.js';
import { parseConfig } from '../../src/load-config.js';
import { buildCommandRegistry } from '../../src/obd/registry.js';
import { computedSpec } from '../helpers/computed.js';

const spec = computedSpec;

function build(computed: Record<string, ComputedSpec>) {
  return buildCommandRegistry({ commands: {}, files: [], modelYear: null, computed });
}

function command(computed: Record<string, ComputedSpec>, name: string): OBDCommand {
  const { registry, problems } = build(computed);
  assert.deepEqual(problems, []);
  return registry.byName(name)!;
}

const reading = (name: string, value: number | null, time: number): OBDResponse => ({
  command: commandByName(name)!,
  messages: [],
  value,
  unit: value === null ? null : 'x',
  time,
});

describe('computed commands: definitions', () => {
  it('reads other commands by name, in slot order, as an OBD command of its own', () => {
    const cmd = command({ FUEL_RATE_EST: spec('expr', 'MAF / 14.7 / 745 * 3600', { unit: 'liters_per_hour' }) }, 'FUEL_RATE_EST');
    assert.deepEqual(
      computedSources(cmd).map((c) => c.name),
      ['MAF'],
    );
    assert.equal(cmd.command, 'MAF / 14.7 / 745 * 3600');
    const response = computeResponse(cmd, [reading('MAF', 7.45, 1000)], true);
    assert.equal(response.unit, 'liters_per_hour');
    assert.ok(Math.abs((response.value as number) - (7.45 / 14.7 / 745) * 3600) < 1e-12);
    assert.equal(response.time, 1000);
  });

  it('names that look like bytes are commands (MAF is not byte 9 of 14)', () => {
    const cmd = command({ X: spec('expr', 'MAF * 2 + SPEED') }, 'X');
    assert.equal(computeResponse(cmd, [reading('MAF', 3, 0), reading('SPEED', 4, 0)], true).value, 10);
  });

  it('refuses unknown names, itself, bit access, cycles and expressions that read nothing, with where', () => {
    const { problems, registry } = build({
      A: spec('expr', 'SPEED + NOPE'),
      B: spec('expr', 'B + 1'),
      C: spec('expr', '{A:7}'),
      D: spec('expr', 'E * 2'),
      E: spec('expr', 'D + SPEED'),
      F: spec('integrate', '1'),
      G: spec('expr', 'D + 1'),
      H: spec('integrate', '1', { sources: ['SPEED'] }),
      RPM: spec('expr', 'SPEED'),
    });
    const byName = new Map(problems.map((p) => [p.path[1], p.message]));
    assert.match(byName.get('A')!, /computed\.A\.expr: 'NOPE': not a command .*column 9/);
    assert.match(byName.get('B')!, /B cannot read itself/);
    assert.match(byName.get('C')!, /bit access/);
    assert.match(byName.get('D')!, /reads itself through other computed commands/);
    assert.match(byName.get('E')!, /reads itself through other computed commands/);
    assert.match(byName.get('F')!, /reads no command.*sources/);
    assert.match(byName.get('G')!, /reads D, which has a problem/);
    assert.match(byName.get('RPM')!, /already a command/);
    assert.equal(problems.find((p) => p.path[1] === 'A')!.offset, 8);
    assert.ok(registry.byName('H'));
    assert.equal(registry.byName('A'), undefined);
  });

  it('a missing source or a division by zero gives null, not a number', () => {
    const cmd = command({ L100: spec('expr', 'MAF / SPEED * 100') }, 'L100');
    assert.equal(computeResponse(cmd, [reading('MAF', 5, 0), reading('SPEED', null, 0)], true).value, null);
    const zero = computeResponse(cmd, [reading('MAF', 5, 0), reading('SPEED', 0, 0)], true);
    assert.equal(zero.value, null);
    assert.equal(zero.unit, null);
  });
});

describe('computed commands: integrate and average over time', () => {
  it('integrates by the trapezoid rule, per the given time unit', () => {
    const cmd = command({ DIST: spec('integrate', 'SPEED', { per: 'hour', unit: 'kilometer' }) }, 'DIST');
    const at = (value: number, time: number) => computeResponse(cmd, [reading('SPEED', value, time)], true).value as number;
    assert.equal(at(0, 0), 0);
    assert.equal(at(36, 1000), 18 / 3600);
    assert.ok(Math.abs(at(72, 2000) - 72 / 3600) < 1e-12); // 0.02 km
    // A one-shot query reads the running figure without adding to it.
    assert.ok(Math.abs((computeResponse(cmd, [reading('SPEED', 500, 9000)], false).value as number) - 0.02) < 1e-12);
  });

  it('does not count across a missing reading or a gap longer than MAX_SAMPLE_GAP_MS', () => {
    const cmd = command({ T: spec('integrate', '1', { sources: ['SPEED'], unit: 'second' }) }, 'T');
    const at = (value: number | null, time: number) => computeResponse(cmd, [reading('SPEED', value, time)], true).value;
    at(10, 0);
    assert.equal(at(10, 1000), 1);
    assert.equal(at(null, 2000), 1); // the figure stays, the chain breaks
    assert.equal(at(10, 3000), 1);
    assert.equal(at(10, 4000), 2);
    assert.equal(at(10, 4000 + MAX_SAMPLE_GAP_MS + 1), 2);
    assert.equal(at(10, 4000 + MAX_SAMPLE_GAP_MS + 1001), 3);
  });

  it('averages weighted by time, and starts again on a trip reset', () => {
    const cmd = command({ AVG: spec('average', 'SPEED', { unit: 'kilometer_per_hour' }) }, 'AVG');
    const at = (value: number, time: number) => computeResponse(cmd, [reading('SPEED', value, time)], true).value;
    assert.equal(at(50, 0), 50);
    assert.equal(at(50, 1000), 50);
    // 3 s at 50, then a 1 s ramp from 50 to 90: (150 + 70) / 4.
    assert.equal(at(50, 3000), 50);
    assert.equal(at(90, 4000), 55);
    assert.deepEqual(resetComputed([cmd, commandByName('RPM')!]), ['AVG']);
    assert.equal(computeResponse(cmd, [], false).value, null);
    assert.equal(at(20, 5000), 20);
  });
});

describe('computed: in obdio.yaml', () => {
  it('loads with defaults, and places problems at file:line:col', () => {
    const good = parseConfig('computed:\n  DIST: { integrate: SPEED, per: hour, unit: kilometer }\nwatch:\n  commands: [DIST]\n', null);
    assert.ok(good.ok);
    assert.deepEqual(good.spec.computed.DIST, {
      kind: 'integrate',
      expression: 'SPEED',
      per: 'hour',
      sources: [],
      unit: 'kilometer',
      desc: 'DIST',
    });
    const where = (text: string) => {
      const result = parseConfig(text, null);
      assert.ok(!result.ok);
      return result.errors.map((e) => `${e.line}:${e.col} ${e.message}`).join('\n');
    };
    assert.equal(
      where('computed:\n  A: { expr: SPEED }\n  B: { expr: "SPEED", average: "SPEED" }\n'),
      '3:6 computed.B: expected exactly one of expr, integrate or average; found expr and average',
    );
    assert.match(
      where('computed:\n  c: { expr: "SPEED" }\n'),
      /^2:3 computed: 'c' is not a command name: names are upper case, like TRIP_DISTANCE \(did you mean 'C'\?\)/,
    );
  });

  it('an unknown name inside an expression points at it', () => {
    const bad = parseConfig('computed:\n  A: { expr: "SPEED * 2 + NOPE" }\n', null);
    assert.ok(!bad.ok);
    assert.deepEqual(
      bad.errors.map((e) => [e.line, e.col]),
      [[2, 27]],
    );
    assert.match(bad.errors[0]!.message, /'NOPE': not a command/);
  });
});
