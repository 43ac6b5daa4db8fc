import { describe, expect, test } from "bun:test";
import { Labels } from "./labels.ts";
import { parseSeriesSelector } from "./selector.ts";

describe("parseSeriesSelector()", () => {
  test("matches like VictoriaMetrics' if_expression", () => {
    const f = (sel: string | string[], labels: Record<string, string>, want: boolean) => {
      expect(parseSeriesSelector(sel).match(Labels.fromObject(labels))).toBe(want);
    };
    f("foo", { __name__: "foo" }, true);
    f("foo", { __name__: "foo", a: "1" }, true);
    f("foo", { __name__: "bar" }, false);
    f("foo", { a: "1" }, false);
    f('foo{a="1"}', { __name__: "foo", a: "1" }, true);
    f('foo{a="1"}', { __name__: "foo", a: "2" }, false);
    f('{a="1",b!="2"}', { a: "1", b: "3" }, true);
    f('{a="1",b!="2"}', { a: "1", b: "2" }, false);
    f('{a="1",b!="2",}', { a: "1" }, true);
    // {missing=""} matches absent labels; {__name__=""} never matches.
    f('{missing=""}', { a: "1" }, true);
    f('{a=""}', { a: "1" }, false);
    f('{__name__=""}', { a: "1" }, false);
    f('{__name__!=""}', { a: "1" }, true);
    // Regex filters are anchored; an absent label matches like "".
    f('{a=~"x|y"}', { a: "y" }, true);
    f('{a=~"x|y"}', { a: "yy" }, false);
    f('{a=~"^x.*$"}', { a: "xyz" }, true);
    f('{a=~"x|"}', { b: "1" }, true);
    f('{a!~"x.*"}', { a: "xy" }, false);
    f('{a!~"x.*"}', { b: "1" }, true);
    f('{__name__=~"go_.+"}', { __name__: "go_gc" }, true);
    f('{__name__=~"go_.+"}', { __name__: "go_" }, false);
    // "or" inside braces and lists of selectors.
    f('{a="1" or b="2"}', { b: "2" }, true);
    f('foo{a="1" or b="2"}', { __name__: "bar", b: "2" }, false);
    f('{a="1" OR b="2"}', { b: "3" }, false);
    f(["foo", '{a="1"}'], { __name__: "bar", a: "1" }, true);
    f(["foo", '{a="1"}'], { __name__: "bar", a: "2" }, false);
    // Quoting and escapes.
    f(`{a='x"y'}`, { a: 'x"y' }, true);
    f("{a=`x\\y`}", { a: "x\\y" }, true);
    f('{a="\\u00e9\\n\\x41"}', { a: "é\nA" }, true);
    f('{"a.b"="1"}', { "a.b": "1" }, true);
    f('{"foo.bar"}', { __name__: "foo.bar" }, true);
    f("foo.bar:baz", { __name__: "foo.bar:baz" }, true);
    f("foo\\-bar", { __name__: "foo-bar" }, true);
    f('  foo { a = "1" }  ', { __name__: "foo", a: "1" }, true);
    f("{}", { a: "1" }, true);
  });

  test("rejects what is not a series selector", () => {
    const f = (sel: unknown, type: typeof Error, msg: string) => {
      expect(() => parseSeriesSelector(sel)).toThrow(type);
      expect(() => parseSeriesSelector(sel)).toThrow(msg);
    };
    f("rate(foo[5m])", SyntaxError, "Cannot parse series selector");
    f("foo{a=1}", SyntaxError, "expecting a quoted value");
    f('foo{a="1"', SyntaxError, 'missing "}"');
    f('foo{a~"1"}', SyntaxError, "expecting");
    f('{a="1" b="2"}', SyntaxError, "expecting");
    f('{a="x}', SyntaxError, "unterminated string");
    f('{a=~"(x"}', SyntaxError, "Cannot parse regex");
    f("", SyntaxError, "expecting a metric name");
    f(5, TypeError, "want a string or a list of strings");
    f(["a", 1], TypeError, "want a string");
  });
});
