import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkTemplate, compilePayload, compileTemplate, expectsJson, TemplateError } from '../../src/templates/templates.js';
import { parseConfig } from '../../src/load-config.js';

const text = (source: string, context: Record<string, unknown> = {}) => compileTemplate(source, { json: false }).text(context);
const rpm = { value: 1500, unit: 'revolutions_per_minute', command: { name: 'RPM' }, time: 0 };

describe('template helpers', () => {
  test('json writes any value as JSON, undefined as null, and never HTML-escapes', () => {
    assert.equal(text('{{json x}}', { x: { a: [1, 'b<&>"'] } }), '{"a":[1,"b<&>\\""]}');
    assert.equal(text('{{json missing}}'), 'null');
    assert.equal(text('{{x}}', { x: `<b>'&"` }), `<b>'&"`);
  });

  test('round: to the given decimals, half away from zero as written in decimal; lists too; non-numbers pass', () => {
    assert.equal(text('{{round x 2}}', { x: 1.005 }), '1.01');
    assert.equal(text('{{round x}}', { x: 2.5 }), '3');
    assert.equal(text('{{round x 1}}', { x: -0.25 }), '-0.2');
    assert.equal(text('{{json (round x 1)}}', { x: [1.26, 3.14159] }), '[1.3,3.1]');
    assert.equal(text('{{json (round x 1)}}', { x: null }), 'null');
    assert.equal(text('{{json (round x 1)}}', { x: 'text' }), '"text"');
  });

  test('unit: pint names to short symbols, Python types to nothing', () => {
    assert.equal(text('{{unit r}}', { r: rpm }), 'rpm');
    assert.equal(text('{{unit "kilometer_per_hour"}} {{unit "degree_Celsius"}} {{unit "percent"}} {{unit "gps"}}'), 'km/h °C % g/s');
    assert.equal(text('[{{unit r}}]', { r: { value: 'x', unit: "<class 'str'>" } }), '[]');
    assert.equal(text('{{unit "furlong"}}'), 'furlong');
    // The dashboard's table: equivalence ratios show as λ, and the rarer units are there too.
    assert.equal(text('{{unit "ratio"}} {{unit "inch"}} {{unit "milliohm"}} {{unit "kilogram_per_hour"}}'), 'λ in mΩ kg/h');
    assert.equal(text('[{{unit missing}}]'), '[]');
  });

  test('comparisons, logic and default', () => {
    const context = { a: 5, b: 7, s: 'x', z: 0, empty: '' };
    assert.equal(text('{{eq a 5}} {{ne a 5}} {{gt b a}} {{gte a 5}} {{lt a b}} {{lte b a}}', context), 'true false true true true false');
    assert.equal(text('{{gt s a}}', context), 'false', 'a string and a number do not compare');
    assert.equal(text('{{#if (and (gt b a) (eq s "x"))}}yes{{else}}no{{/if}}', context), 'yes');
    assert.equal(text('{{or z empty "fallback"}} {{and a z}} {{not z}}', context), 'fallback 0 true');
    assert.equal(text('{{default missing "n/a"}} {{default empty "n/a"}} {{default z "n/a"}}', context), 'n/a n/a 0');
  });

  test('prototype access stays blocked', () => {
    assert.equal(text('[{{constructor}}][{{x.__proto__}}][{{lookup x "constructor"}}][{{x.constructor.name}}]', { x: {} }), '[][][][]');
  });
});

describe('payloads: JSON or not, decided by the source', () => {
  test('expectsJson: sources that start like JSON, or one {{json}} expression', () => {
    for (const source of ['{"a": 1}', ' [1, 2]', '{ {{json x}}: 1 }', '{{json watching}}', '{{~json x~}}'])
      assert.ok(expectsJson(source), source);
    for (const source of ['{{args}}', 'hello', '{{json x}} and more', '"quoted"', '{{#if x}}{}{{/if}}'])
      assert.ok(!expectsJson(source), source);
  });

  test('a JSON payload is sent parsed; bad output is a TemplateError quoting it', () => {
    const payload = compilePayload('{"rpm": {{json RPM.value}}, "u": "{{unit RPM}}" }');
    assert.equal(payload.json, true);
    assert.deepEqual(payload.value({ RPM: rpm }), { rpm: 1500, u: 'rpm' });
    const bare = compilePayload('{"rpm": {{RPM.value}} }');
    assert.deepEqual(bare.value({ RPM: rpm }), { rpm: 1500 });
    assert.throws(
      () => bare.value({ RPM: null }),
      (e: unknown) => e instanceof TemplateError && /not valid JSON/.test(e.message) && e.message.includes('{"rpm":  }'),
    );
  });

  test('other payloads: parsed when the output is JSON, else the text', () => {
    const payload = compilePayload('{{args}}');
    assert.equal(payload.json, false);
    assert.equal(payload.value({ args: 42 }), 42);
    assert.equal(payload.value({ args: 'hello' }), 'hello');
    assert.equal(payload.value({ args: 'true' }), true);
    assert.equal(compilePayload('plain text').value({}), 'plain text');
    assert.deepEqual(compilePayload('[1, 2]').value({}), [1, 2]);
  });

  test('a template that does not compile fails when used, with the reason, instead of throwing at build', () => {
    const broken = compileTemplate('{{#if x}}never closed', { json: false });
    assert.throws(
      () => broken.text({}),
      (e: unknown) => e instanceof TemplateError && /template error/.test(e.message),
    );
  });
});

describe('load-time checks', () => {
  test('a JSON payload that can never be JSON is reported; one that needs values is not', () => {
    assert.equal(checkTemplate('{"rpm": {{RPM.value}} }', true), null, 'a bare value becomes valid once it is there');
    assert.equal(checkTemplate('{"id": "{{client.id}}", "n": {{json n}} }', true), null);
    assert.equal(checkTemplate('{ {{json key}}: {{json value}} }', true), null);
    assert.equal(checkTemplate('[{{#each cache}}{{json this}},{{/each}}]', true), null, 'blocks are checked when rendered');
    assert.match(checkTemplate('{"rpm": {{json RPM.value}}, }', true) ?? '', /must be JSON \(it starts with '\{'\) but can never be/);
    assert.match(checkTemplate('{"rpm" {{json RPM.value}} }', true) ?? '', /can never be/);
    assert.match(checkTemplate('[1, 2', true) ?? '', /can never be/);
    assert.equal(checkTemplate('{"rpm" {{json RPM.value}} }', false), null, 'only payloads are JSON-checked');
    assert.equal(checkTemplate('hello {{x}', true), null, 'syntax errors are the loader’s to report');
  });

  test('unknown helpers, partials and decorators are reported', () => {
    assert.match(checkTemplate('{{rount RPM.value 1}}') ?? '', /unknown helper 'rount'/);
    assert.match(checkTemplate('{{#if (rount x)}}y{{/if}}') ?? '', /unknown helper 'rount'/);
    assert.match(checkTemplate('{{> header}}') ?? '', /partials/);
    assert.equal(checkTemplate('{{RPM.value}} {{round RPM.value 1}} {{#each cache}}{{@key}}{{/each}}'), null);
  });

  test('the loader reports them at the line and column of the string', () => {
    const yaml = [
      'events:', // 1
      '  custom:', // 2
      '    snap:', // 3
      '      - query: RPM', // 4
      '      - emit:', // 5
      '          event: snap', // 6
      `          data: '{"rpm": {{json RPM.value}}, }'`, // 7
      '      - if: "{{bigger RPM.value 3}}"', // 8
      '        then:', // 9
      '          - emit: { event: x, data: "[{{json RPM}}" }', // 10
      'watch:', // 11
      '  callbacks:', // 12
      `    - emit: { event: live, data: '{"a" 1}' }`, // 13
    ].join('\n');
    const result = parseConfig(yaml, null);
    assert.ok(!result.ok);
    const found = result.errors.map((e) => [e.line, e.col, e.path]);
    assert.deepEqual(found, [
      [7, 17, 'events.custom.snap[1].emit.data'],
      [8, 13, 'events.custom.snap[2].if'],
      [10, 37, 'events.custom.snap[2].then[0].emit.data'],
      [13, 34, 'watch.callbacks[0].emit.data'],
    ]);
    assert.match(result.errors[0]!.message, /^events\.custom\.snap\[1\]\.emit\.data: this payload must be JSON/);
    assert.match(result.errors[1]!.message, /unknown helper 'bigger'/);
  });
});
