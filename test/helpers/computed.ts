import type { ComputedSpec } from '../../src/obd/computed.js';

/** A `computed:` entry as the config layer hands it on: defaults filled, `extra` on top. */
export function computedSpec(kind: ComputedSpec['kind'], expression: string, extra: Partial<ComputedSpec> = {}): ComputedSpec {
  return { kind, expression, per: 'second', sources: [], unit: null, desc: '', ...extra };
}
