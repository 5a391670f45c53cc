/**
 * Conformance with OBDb, the open vehicle database: every expected value of the authors' own
 * recorded test cases (test/fixtures/obdb) must come out of the gateway's framing and signal
 * decoding. Counts per vehicle and per file are printed as test diagnostics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandNameOf } from '../../src/obd/custom/obdb.js';
import { caseFiles, CaseRegistry, decodeResponse, sameValue, vehicles } from './obdb-cases.js';

for (const vehicle of vehicles()) {
  test(`OBDb ${vehicle}: every recorded expected value`, (t) => {
    const registries = new Map<number, CaseRegistry>();
    const failures: string[] = [];
    let passed = 0;
    let total = 0;
    for (const file of caseFiles(vehicle)) {
      let registry = registries.get(file.year);
      if (!registry) registries.set(file.year, (registry = new CaseRegistry(vehicle, file.year)));
      let filePassed = 0;
      let fileTotal = 0;
      for (const testCase of file.cases) {
        const values = decodeResponse(registry, file.commandId, testCase.response);
        for (const [id, expected] of Object.entries(testCase.expected)) {
          fileTotal++;
          const name = commandNameOf(id);
          const actual = values.has(name) ? values.get(name) : undefined;
          if (values.has(name) && sameValue(actual, expected)) filePassed++;
          else
            failures.push(
              `${file.year}/${file.name} ${id}: expected ${JSON.stringify(expected)}, got ${actual === undefined ? 'no value' : JSON.stringify(actual)} from\n${testCase.response}`,
            );
        }
      }
      passed += filePassed;
      total += fileTotal;
      t.diagnostic(`${vehicle} ${file.year}/${file.name}: ${filePassed}/${fileTotal}`);
    }
    t.diagnostic(`${vehicle}: ${passed}/${total} expected values`);
    assert.ok(total > 0, 'the fixtures hold test cases');
    assert.deepEqual(failures.slice(0, 10), [], `${failures.length} of ${total} expected values differ`);
  });
}
