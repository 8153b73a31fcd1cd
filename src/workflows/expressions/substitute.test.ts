import { describe, expect, it } from 'vitest';
import { isPlinthError } from '../../errors/index.js';
import {
  allowAll,
  allowExpressionsOnly,
  allowNone,
  evaluateWhen,
  layered,
  substitute,
  substituteString,
  UnresolvedTagError,
  type TagScope,
} from './index.js';

const scope = new Map([
  ['inputs.parameters.foo', '3'],
  ['inputs.parameters.should-print', 'true'],
  ['inputs.parameters', '[{"name":"foo","value":"3"}]'],
  ['workflow.parameters.json', '[{"value":"true"}]'],
  ['steps.flip-coin.outputs.result', 'heads'],
]);

describe('expression tags in substitution', () => {
  it('evaluates {{=...}} in the same pass as simple tags', () => {
    expect(
      substitute(
        {
          args: ['hello {{=asInt(inputs.parameters.foo) * 10}} from {{inputs.parameters.foo}}'],
          withParam: '{{=toJson(filter([1, 3], {# > 1}))}}',
          n: 5,
        },
        scope,
        allowExpressionsOnly,
      ),
    ).toEqual({ args: ['hello 30 from 3'], withParam: '[3]', n: 5 });
  });
  it('writes strings bare and anything else as JSON', () => {
    expect(
      substituteString(
        "{{='a<b'}}|{{=[1, 'x']}}|{{=sprig.dict('k', '<')}}|{{=1.5}}",
        scope,
        allowNone,
      ),
    ).toBe('a<b|[1,"x"]|{"k":"\\u003c"}|1.5');
  });
  it('sees hyphenated names by index and every listed variable', () => {
    expect(
      substituteString(`{{= inputs.parameters["should-print"] == 'true'}}`, scope, allowNone),
    ).toBe('true');
    expect(
      substituteString(
        "{{=jsonpath(workflow.parameters.json, '$[0].value') == 'true'}}",
        scope,
        allowNone,
      ),
    ).toBe('true');
    expect(substituteString("{{=steps['flip-coin'].outputs.result}}", scope, allowNone)).toBe(
      'heads',
    );
    expect(substituteString('{{=len(inputs.parameters)}}', scope, allowNone)).toBe('2');
  });
  it('serves a scope that can only get, by the names the expression uses', () => {
    const getOnly: TagScope = { get: (t) => (t === 'workflow.status' ? 'Failed' : undefined) };
    expect(
      substituteString('{{=workflow.status != "Succeeded"}}', layered(getOnly), allowNone),
    ).toBe('true');
  });
  it('leaves an expression that names a variable not known yet, when the policy allows', () => {
    expect(substituteString('{{=workflow.status}}', scope, allowExpressionsOnly)).toBe(
      '{{=workflow.status}}',
    );
    expect(() => substituteString('{{=workflow.status}}', scope, allowNone)).toThrow(
      'failed to evaluate expression: workflow.status is missing',
    );
  });
  it('fails an expression that cannot be evaluated, with Argo words', () => {
    const err = (() => {
      try {
        substituteString('{{=asInt("x")}}', scope, allowExpressionsOnly);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(isPlinthError(err, 'INVALID_INPUT')).toBe(true);
    expect((err as Error).message).toMatch(/^failed to evaluate expression: strconv.Atoi/);
    expect(() => substituteString('{{=1 +}}', scope, allowExpressionsOnly)).toThrow(
      /^failed to evaluate expression: /,
    );
    expect(() => substituteString('{{=inputs.parameters.nope}}', scope, allowNone)).toThrow(
      'failed to evaluate expression: inputs.parameters.nope is missing',
    );
    expect(() => substituteString('{{=nil}}', scope, allowNone)).toThrow(
      'failed to evaluate expression "nil"',
    );
    // A map literal's closing braces end the tag early, as in Argo.
    expect(() => substituteString("{{={'k': 1}}}", scope, allowNone)).toThrow(
      /unexpected token EOF/,
    );
    expect(substituteString('{{=asInt("x")}}', scope, allowAll)).toBe('{{=asInt("x")}}');
  });
  it('keeps the simple tag behaviour', () => {
    expect(substituteString('{{ inputs.parameters.foo }}!', scope, allowNone)).toBe('3!');
    expect(substituteString('{{a{{inputs.parameters.foo}}', scope, allowAll)).toBe('{{a3');
    expect(() => substituteString('{{nope}}', scope, allowExpressionsOnly)).toThrow(
      UnresolvedTagError,
    );
    expect(substituteString('{{nope}} {{=1+1}}', scope, allowAll)).toBe('{{nope}} 2');
  });
  it('feeds `when` after substitution, as Argo does', () => {
    const when = (text: string): boolean => evaluateWhen(substituteString(text, scope, allowNone));
    expect(when('{{steps.flip-coin.outputs.result}} == heads')).toBe(true);
    expect(when('{{steps.flip-coin.outputs.result}} == tails')).toBe(false);
    expect(when('{{inputs.parameters.should-print}} == true')).toBe(true);
    expect(when(`{{= inputs.parameters["should-print"] == 'true'}}`)).toBe(true);
    expect(when("'{{inputs.parameters.foo}}' =~ '^[0-9]+$'")).toBe(true);
  });
});
