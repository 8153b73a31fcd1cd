import { describe, it, expect } from 'vitest';
import { isPlinthError } from '../../../errors/index.js';
import { GoTime, goValueFromJson, parseGoTemplate, renderGoTemplate } from './index.js';

const input = goValueFromJson({
  body: {
    name: 'shop',
    count: 3,
    ratio: 1.5,
    big: 1234567,
    million: 1000000,
    tiny: 0.00001,
    ok: true,
    off: false,
    gone: null,
    tags: ['a', 'b', 'c'],
    owner: { team: 'x', zone: 'eu' },
    empty: '',
    list: [],
    html: '<a href="x">&</a>',
  },
  header: { 'X-Id': ['abc'] },
});
const data = { Input: input };

const render = (text: string): string => renderGoTemplate(text, data);

describe('Go templates: printing as Go prints', () => {
  it.each([
    ['{{ .Input.body.name }}', 'shop'],
    ['{{ .Input.body.count }}', '3'],
    ['{{ .Input.body.ratio }}', '1.5'],
    ['{{ .Input.body.big }}', '1.234567e+06'],
    ['{{ .Input.body.million }}', '1e+06'],
    ['{{ .Input.body.tiny }}', '1e-05'],
    ['{{ .Input.body.ok }}', 'true'],
    ['{{ .Input.body.gone }}', '<no value>'],
    ['{{ .Input.body.missing }}', '<no value>'],
    ['{{ .Input.body.missing.deeper }}', '<no value>'],
    ['{{ .Input.body.tags }}', '[a b c]'],
    ['{{ .Input.body.owner }}', 'map[team:x zone:eu]'],
    ['{{ .Input.header }}', 'map[X-Id:[abc]]'],
    ['{{ print .Input.body.gone }}', '<nil>'],
    ["{{ 3 }} {{ 3.0 }} {{ 1e3 }} {{ 0x10 }} {{ 'a' }}", '3 3 1000 16 97'],
    ['{{ "a\\tb" }}{{ `raw\\n` }}', 'a\tbraw\\n'],
    ['{{ print 1 2 "x" 3 }}', '1 2x3'],
    ['{{ println 1 "a" }}', '1 a\n'],
    [
      '{{ printf "%s-%d-%v-%.2f-%q-%t-%5s|%-4d|%03d-%x" "a" 4 .Input.body.count 3.14159 "q" true "r" 7 5 255 }}',
      'a-4-3-3.14-"q"-true-    r|7   |005-ff',
    ],
    ['{{ printf "%d" .Input.body.count }}', '%!d(float64=3)'],
    ['{{ printf "%s" }}', '%!s(MISSING)'],
    ['{{ html .Input.body.html }}', '&lt;a href=&#34;x&#34;&gt;&amp;&lt;/a&gt;'],
    ['{{ js "it\'s <b>" }}', "it\\'s \\u003Cb\\u003E"],
    ['{{ urlquery "a b&c=d/é" }}', 'a+b%26c%3Dd%2F%C3%A9'],
  ])('%s → %s', (text, want) => {
    expect(render(text)).toBe(want);
  });
});

describe('Go templates: control flow', () => {
  it.each([
    ['{{ if .Input.body.ok }}yes{{ else }}no{{ end }}', 'yes'],
    [
      '{{ if .Input.body.off }}yes{{ else if .Input.body.count }}count{{ else }}no{{ end }}',
      'count',
    ],
    ['{{ if .Input.body.empty }}a{{ else if .Input.body.list }}b{{ else }}c{{ end }}', 'c'],
    ['{{ if .Input.body.missing }}a{{ else }}b{{ end }}', 'b'],
    ['{{ with .Input.body.owner }}{{ .team }}{{ end }}', 'x'],
    ['{{ with .Input.body.empty }}x{{ else }}none{{ end }}', 'none'],
    ['{{ range .Input.body.tags }}[{{ . }}]{{ end }}', '[a][b][c]'],
    ['{{ range $i, $v := .Input.body.tags }}{{ $i }}={{ $v }};{{ end }}', '0=a;1=b;2=c;'],
    ['{{ range $k, $v := .Input.body.owner }}{{ $k }}:{{ $v }} {{ end }}', 'team:x zone:eu '],
    ['{{ range $v := .Input.body.tags }}{{ $v }}{{ end }}', 'abc'],
    ['{{ range .Input.body.list }}x{{ else }}empty{{ end }}', 'empty'],
    ['{{ range .Input.body.tags }}{{ if eq . "b" }}{{ break }}{{ end }}{{ . }}{{ end }}', 'a'],
    ['{{ range .Input.body.tags }}{{ if eq . "b" }}{{ continue }}{{ end }}{{ . }}{{ end }}', 'ac'],
    ['{{ range 3 }}{{ . }}{{ end }}', '012'],
    ['{{ $x := .Input.body.name }}{{ $x }}-{{ $x = "new" }}{{ $x }}', 'shop-new'],
    ['{{ $.Input.body.name }}', 'shop'],
    ['{{ range .Input.body.tags }}{{ $.Input.body.name }}{{ end }}', 'shopshopshop'],
    ['a  {{- " b " -}}  c', 'a b c'],
    ['x {{/* a comment */}} y', 'x  y'],
    ['x {{- /* trimmed */ -}} y', 'xy'],
    ['{{ define "t" }}<{{ . }}>{{ end }}{{ template "t" .Input.body.name }}', '<shop>'],
    ['{{ (index .Input.body.tags 1) }}{{ (.Input.body.owner).team }}', 'bx'],
    ['{{ .Input.body.name | printf "%s!" | upper }}', 'SHOP!'],
  ])('%s → %s', (text, want) => {
    expect(render(text)).toBe(want);
  });
});

describe('Go templates: builtin functions', () => {
  it.each([
    ['{{ eq .Input.body.name "shop" }}', 'true'],
    ['{{ eq .Input.body.name "a" "b" "shop" }}', 'true'],
    ['{{ eq .Input.body.count 3.0 }}', 'true'],
    ['{{ ne .Input.body.name "shop" }}', 'false'],
    ['{{ lt 1 2 }} {{ le 2 2 }} {{ gt "b" "a" }} {{ ge 1.5 2.5 }}', 'true true true false'],
    [
      '{{ and 1 0 2 }} {{ and 1 2 }} {{ or 0 "" "x" }} {{ or 0 "" }} {{ not .Input.body.ok }}',
      '0 2 x  false',
    ],
    [
      '{{ len .Input.body.tags }} {{ len .Input.body.name }} {{ len .Input.body.owner }} {{ len "é" }}',
      '3 4 2 2',
    ],
    ['{{ index .Input.header "X-Id" 0 }}', 'abc'],
    ['{{ index .Input.body.owner "nope" }}', '<no value>'],
    ['{{ slice .Input.body.tags 1 }} {{ slice .Input.body.name 1 3 }}', '[b c] ho'],
    ['{{ and .Input.body.missing.x (index .Input.body.tags 9) }}', '<no value>'],
  ])('%s → %s', (text, want) => {
    expect(render(text)).toBe(want);
  });

  it.each([
    ['{{ eq .Input.body.count 3 }}', 'incompatible types for comparison'],
    ['{{ lt .Input.body.name 1 }}', 'incompatible types for comparison'],
    ['{{ index .Input.body.tags 5 }}', 'error calling index: index out of range: 5'],
    ['{{ .Input.body.gone.x }}', 'nil pointer evaluating interface {}.x'],
    ['{{ .Input.body.name.x }}', "can't evaluate field x in type string"],
    ['{{ upper .Input.body.count }}', 'wrong type for value; expected string; got float64'],
    ['{{ upper .Input.body.missing }}', 'invalid value; expected string'],
    ['{{ $nope }}', 'undefined variable: $nope'],
    ['{{ len 3 }}', 'len of type int'],
    ['{{ "x" 1 }}', "can't give argument to non-function"],
    ['{{ range .Input.body.name }}{{ end }}', "range can't iterate over shop"],
    ['{{ div 1 0 }}', 'integer divide by zero'],
    ['{{ fail "stop here" }}', 'error calling fail: stop here'],
  ])('%s fails: %s', (text, message) => {
    let error: unknown;
    try {
      render(text);
    } catch (err) {
      error = err;
    }
    expect(isPlinthError(error, 'INVALID_INPUT')).toBe(true);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).toMatch(/^template: param:1:\d+: executing "param" at </);
  });

  it.each([
    ['{{ nosuchfunc 1 }}', 'function "nosuchfunc" not defined'],
    ['{{ env "HOME" }}', 'function "env" not defined'],
    ['{{ if .x }}', 'unexpected EOF'],
    ['{{ end }}', 'unexpected {{end}}'],
    ['{{ .x', 'unclosed action'],
    ['{{ "abc }}', 'unterminated quoted string'],
    ['{{ break }}', 'outside {{range}}'],
    ['{{ 3x }}', 'bad number syntax'],
  ])('%s does not parse: %s', (text, message) => {
    expect(() => parseGoTemplate(text)).toThrow(message);
  });
});

describe('Go templates: sprig', () => {
  it.each([
    [
      '{{ upper "abc" }} {{ lower "ABC" }} {{ title "hello wide world" }}',
      'ABC abc Hello Wide World',
    ],
    [
      '{{ trim "  a  " }}|{{ trimAll "$" "$5.00$" }}|{{ trimPrefix "v" "v1.2" }}|{{ trimSuffix ".git" "r.git" }}',
      'a|5.00|1.2|r',
    ],
    [
      '{{ replace "-" "_" "a-b-c" }} {{ contains "ho" "shop" }} {{ hasPrefix "sh" "shop" }} {{ hasSuffix "op" "shop" }}',
      'a_b_c true true true',
    ],
    [
      '{{ split "," "a,b" }} {{ splitList "," "a,b" }} {{ join "-" .Input.body.tags }}',
      'map[_0:a _1:b] [a b] a-b-c',
    ],
    [
      '{{ repeat 3 "ab" }} {{ substr 1 3 "hello" }} {{ trunc 3 "hello" }} {{ trunc -2 "hello" }}',
      'ababab el hel lo',
    ],
    ['{{ quote "a" 1 }} {{ squote "a" }} {{ cat "a" 1 nil "b" }}', '"a" "1" \'a\' a 1 b'],
    [
      '{{ snakecase "HelloWorld" }} {{ kebabcase "HelloWorld" }} {{ camelcase "hello_world" }}',
      'hello_world hello-world HelloWorld',
    ],
    ['{{ indent 2 "a\\nb" }}|{{ nindent 2 "a" }}', '  a\n  b|\n  a'],
    [
      '{{ default "d" .Input.body.missing }} {{ default "d" .Input.body.empty }} {{ default "d" .Input.body.name }} {{ .Input.body.missing | default "p" }}',
      'd d shop p',
    ],
    [
      '{{ empty .Input.body.list }} {{ empty .Input.body.count }} {{ coalesce .Input.body.empty .Input.body.missing "c" }}',
      'true false c',
    ],
    ['{{ ternary "y" "n" true }} {{ ternary "y" "n" .Input.body.off }}', 'y n'],
    [
      '{{ toJson .Input.body.owner }} {{ toJson .Input.body.tags }} {{ toJson .Input.body.count }}',
      '{"team":"x","zone":"eu"} ["a","b","c"] 3',
    ],
    ['{{ toJson "<&>" }} {{ toRawJson "<&>" }}', '"\\u003c\\u0026\\u003e" "<&>"'],
    ['{{ (fromJson "{\\"a\\":[1,2]}").a }} {{ fromJson "nope" }}', '[1 2] <no value>'],
    ['{{ toPrettyJson (dict "a" 1) }}', '{\n  "a": 1\n}'],
    [
      '{{ b64enc "hello" }} {{ b64dec "aGVsbG8=" }} {{ b32enc "hi" }} {{ b32dec "NBUQ====" }}',
      'aGVsbG8= hello NBUQ==== hi',
    ],
    [
      '{{ sha256sum "abc" | trunc 16 }} {{ sha1sum "abc" | trunc 8 }} {{ adler32sum "abc" }}',
      'ba7816bf8f01cfea a9993e36 38600999',
    ],
    [
      '{{ add 1 2 3 }} {{ add1 .Input.body.count }} {{ sub 5 2 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 2 }}',
      '6 4 3 24 3 1',
    ],
    [
      '{{ max 1 5 3 }} {{ min 4 2 }} {{ add .Input.body.ratio 1 }} {{ int "42" }} {{ atoi "7" }} {{ float64 "1.5" }}',
      '5 2 2 42 7 1.5',
    ],
    [
      '{{ addf 0.1 0.2 }} {{ subf 1.5 0.5 }} {{ mulf 1.5 2 }} {{ divf 3 2 }} {{ maxf 1 2.5 }} {{ floor 1.7 }} {{ ceil 1.2 }} {{ round 3.14159 2 }}',
      '0.3 1 3 1.5 2.5 1 2 3.14',
    ],
    [
      '{{ list 1 "a" 2.5 }} {{ first .Input.body.tags }} {{ last .Input.body.tags }} {{ rest .Input.body.tags }} {{ initial .Input.body.tags }}',
      '[1 a 2.5] a c [b c] [a b]',
    ],
    [
      '{{ append .Input.body.tags "d" }} {{ prepend .Input.body.tags "z" }} {{ reverse .Input.body.tags }} {{ concat .Input.body.tags (list "x") }}',
      '[a b c d] [z a b c] [c b a] [a b c x]',
    ],
    [
      '{{ uniq (list 1 1 2) }} {{ without .Input.body.tags "b" }} {{ has "b" .Input.body.tags }} {{ compact (list "" "a" 0) }}',
      '[1 2] [a c] true [a]',
    ],
    [
      '{{ until 3 }} {{ untilStep 1 7 2 }} {{ seq 3 }} {{ sortAlpha (list "b" "a") }}',
      '[0 1 2] [1 3 5] 1 2 3 [a b]',
    ],
    [
      '{{ $d := dict "a" 1 "b" "two" }}{{ $d.b }} {{ get $d "a" }} {{ hasKey $d "a" }} {{ keys $d }} {{ $_ := set $d "c" 3 }}{{ $d.c }}',
      'two 1 true [a b] 3',
    ],
    [
      '{{ pluck "team" .Input.body.owner (dict "team" "y") }} {{ pick .Input.body.owner "team" }} {{ omit .Input.body.owner "team" }}',
      '[x y] map[team:x] map[zone:eu]',
    ],
    [
      '{{ dig "owner" "team" "none" .Input.body }} {{ dig "owner" "nope" "none" .Input.body }}',
      'x none',
    ],
    [
      '{{ merge (dict "a" 1) (dict "a" 2 "b" 3) }} {{ mergeOverwrite (dict "a" 1) (dict "a" 2) }}',
      'map[a:1 b:3] map[a:2]',
    ],
    [
      '{{ typeOf .Input.body.count }} {{ typeOf .Input.body.tags }} {{ kindOf .Input.body.owner }} {{ kindIs "string" "a" }} {{ typeOf (add 1 1) }}',
      'float64 []interface {} map true int',
    ],
    [
      '{{ regexMatch "^s.op$" "shop" }} {{ regexFind "[0-9]+" "ab123c45" }} {{ regexFindAll "[0-9]+" "ab123c45" -1 }} {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }} {{ regexSplit "[,;]" "a,b;c" -1 }}',
      'true 123 [123 45] -W-xxW- [a b c]',
    ],
    [
      '{{ plural "one" "many" 2 }} {{ initials "hello world" }} {{ abbrev 5 "hello world" }} {{ nospace "a b c" }} {{ swapcase "aB" }}',
      'many hw he... abc Ab',
    ],
    ['{{ toString 3 }} {{ toStrings (list 1 "a") }} {{ hello }}', '3 [1 a] Hello!'],
  ])('%s → %s', (text, want) => {
    expect(render(text)).toBe(want);
  });

  it('formats and parses dates with Go layouts', () => {
    const t = new GoTime(Date.UTC(2024, 5, 1, 10, 4, 5, 250));
    const d = { t, epoch: 1717236000n };
    expect(renderGoTemplate('{{ date "2006-01-02T15:04:05Z07:00" .t }}', d)).toBe(
      '2024-06-01T10:04:05Z',
    );
    expect(renderGoTemplate('{{ date "Jan 2, 2006 at 3:04pm (MST)" .t }}', d)).toBe(
      'Jun 1, 2024 at 10:04am (UTC)',
    );
    expect(renderGoTemplate('{{ .t }}', d)).toBe('2024-06-01 10:04:05.25 +0000 UTC');
    expect(renderGoTemplate('{{ htmlDate .epoch }} {{ unixEpoch .t }}', d)).toBe(
      '2024-06-01 1717236245',
    );
    expect(renderGoTemplate('{{ dateInZone "15:04 -07:00" .t "Asia/Kolkata" }}', d)).toBe(
      '15:34 +05:30',
    );
    expect(
      renderGoTemplate('{{ (toDate "2006-01-02" "2024-02-29") | date "Monday 02 Jan" }}', d),
    ).toBe('Thursday 29 Feb');
    expect(renderGoTemplate('{{ dateModify "-1.5h" .t | date "15:04" }}', d)).toBe('08:34');
    expect(renderGoTemplate('{{ duration 95 }} {{ duration "3600" }}', d)).toBe('1m35s 1h0m0s');
    expect(renderGoTemplate('{{ now | date "2006" }}', d)).toBe(
      String(new Date().getUTCFullYear()),
    );
  });
});
