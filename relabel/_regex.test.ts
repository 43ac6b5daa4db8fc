import { describe, expect, test } from "bun:test";
import { PromRegex, RelabelRegex, removeStartEndAnchors, Template } from "./_regex.ts";
import { toJsRegExp } from "./_regex_emit.ts";
import { parseRegex } from "./_regex_syntax.ts";

const full = (expr: string): RegExp => toJsRegExp(parseRegex(expr), true);

describe("RE2 → JS translation", () => {
  test("matches like Go for differing syntax", () => {
    const f = (expr: string, input: string, want: boolean) => {
      expect(full(expr).test(input)).toBe(want);
      expect(new PromRegex(expr).test(input)).toBe(want);
    };
    f("(?P<x>a+)b", "aab", true);
    f("(?i)abc", "AbC", true);
    f("a(?i)bc", "aBC", true);
    f("a(?i)bc", "ABC", false);
    f("a(?i:b)c", "aBc", true);
    f("a(?i:b)c", "aBC", false);
    f("(?i)a(?-i)b", "Ab", true);
    f("(?i)a(?-i)b", "AB", false);
    // Flags persist across "|" to the end of the group.
    f("x(?i)a|b", "B", true);
    f(".", "\n", false);
    f("(?s).", "\n", true);
    f("(?s:.)x", "\nx", true);
    f("\\s", "\v", false); // RE2 \s is [\t\n\f\r ]
    f("\\s", "\u00a0", false);
    f("\\S", "\u00a0", true);
    f("[\\S]", "\u00a0", true);
    f("\\d", "٣", false);
    f("[]a]", "]", true);
    f("[^]a]", "b", true);
    f("[^]a]", "]", false);
    f("[[:alpha:]]+", "abZ", true);
    f("[[:^digit:]]", "5", false);
    f("[[:word:]-]+", "a_b-c", true);
    f("\\pL+", "héllo", true);
    f("\\p{Greek}", "α", true);
    f("\\p{^Greek}", "α", false);
    f("\\PL", "a", false);
    f("\\Qa.b\\E", "a.b", true);
    f("\\Qa.b\\E", "axb", false);
    f("\\x41\\x{263a}", "A☺", true);
    f("\\101\\0", "A\0", true);
    f("\\a\\f", "\x07\f", true);
    f("\\Aab\\z", "ab", true);
    f("a{2,3}", "aaa", true);
    f("a{2,3}", "aaaa", false);
    f("a{,3}", "a{,3}", true); // invalid repeat is a literal in RE2
    f("a{2}?", "aa", true);
    f("\\.", ".", true);
    f("😀.", "😀x", true);
    f(".", "😀", true); // one rune
    f("(?U)a+", "aa", true);
    f("\\bfoo\\b", "foo", true);
    f("(?m)^a$", "a", true);
    f("^*a", "a", true);
  });

  test("rejects what RE2 rejects", () => {
    const f = (expr: string, reason: string) => {
      expect(() => parseRegex(expr)).toThrow(SyntaxError);
      expect(() => parseRegex(expr)).toThrow(reason);
    };
    f("(?=a)", "invalid or unsupported Perl syntax");
    f("(?!a)", "invalid or unsupported Perl syntax");
    f("(?<=a)b", "invalid or unsupported Perl syntax");
    f("(a)\\1", "invalid escape sequence");
    f("\\q", "invalid escape sequence");
    f("[\\b]", "invalid escape sequence");
    f("(a", 'missing closing ")"');
    f("a)", 'unexpected ")"');
    f("[a", 'missing closing "]"');
    f("[z-a]", "invalid character class range");
    f("[[:foo:]]", "invalid character class range");
    f("\\p{NoSuchScript}", "invalid character class range");
    f("*a", "missing argument to repetition operator");
    f("a**", "invalid nested repetition operator");
    f("a{1001}", "invalid repeat count");
    f("a{3,2}", "invalid repeat count");
    f("(?P<a>x)(?P<a>y)", "duplicate capture group name");
    f("(?P<a-b>x)", "invalid named capture");
    f("\\", "trailing backslash");
    f("\\C", "invalid escape sequence");
  });

  test("group numbering and names", () => {
    const p = parseRegex("(a)(?:b)(?P<n>c)((d))");
    expect(p.groups).toBe(4);
    expect(p.names.get("n")).toBe(2);
    expect(full("(a)(?:b)(?P<n>c)((d))").exec("abcd")?.slice(1)).toEqual(["a", "c", "d", "d"]);
  });
});

describe("PromRegex", () => {
  test("fast paths agree with the RegExp", () => {
    const exprs = [
      "foo",
      "foo|bar|baz",
      "foo.*",
      "foo.+",
      ".*foo.*",
      ".+foo.+",
      "foo(bar|baz)",
      "(foo|bar)",
      "fo[ox]",
      "a?b",
      "",
      ".*",
      ".+",
      "(.*)",
      "foo(.*)",
      "x.*y",
      "(?i)foo",
      "a|",
      "[0-9]",
      "foo\\.bar",
      "(a|b)(c|d)",
      "abc(?:def)?",
    ];
    const inputs = [
      "",
      "foo",
      "bar",
      "baz",
      "foobar",
      "foobaz",
      "xfoo",
      "xfoox",
      "foofoo",
      "fox",
      "b",
      "ab",
      "a",
      "FOO",
      "x123y",
      "5",
      "foo.bar",
      "fooxbar",
      "ac",
      "bd",
      "abcdef",
      "abc",
      "foof",
      "ffoof",
    ];
    for (const e of exprs) {
      const re = full(e);
      const pr = new PromRegex(e);
      for (const s of inputs) {
        if (pr.test(s) !== re.test(s)) throw new Error(`PromRegex(${JSON.stringify(e)}).test(${JSON.stringify(s)})`);
        // Second call hits the cache (for regex fallbacks).
        expect(pr.test(s)).toBe(re.test(s));
      }
    }
  });

  test("recognises the shapes VictoriaMetrics optimises", () => {
    const f = (expr: string, prefix: string, isLiteral: boolean, matchesAll: boolean) => {
      const pr = new PromRegex(expr);
      expect([pr.prefix, pr.isLiteral, pr.matchesAll]).toEqual([prefix, isLiteral, matchesAll]);
    };
    f("foo", "foo", true, false);
    f("foo.*", "foo", false, false);
    f(".*", "", false, true);
    f("(.*)", "", false, true);
    f("(?s:.*)", "", false, true);
    f("foo|bar", "", false, false);
    f("(?i)foo", "", false, false);
  });
});

describe("removeStartEndAnchors()", () => {
  const f = (s: string, want: string) => test(s, () => expect(removeStartEndAnchors(s)).toBe(want));
  f("^^foo$$", "foo");
  f("foo\\$", "foo\\$");
  f("^", "");
  f("a|b", "a|b");
});

describe("Template", () => {
  test("expands like Go regexp.Expand", () => {
    const re = /^(a)(b)?(?<n>c)$/.exec("abc")!;
    const names = new Map([["n", 3]]);
    const f = (tpl: string, want: string) => expect(new Template(tpl, names).expand(re)).toBe(want);
    f("$1", "a");
    f("${1}x", "ax");
    f("$1x", "");
    f("$n-${n}", "c-c");
    f("$$1", "$1");
    f("$", "$");
    f("${1", "${1");
    f("$-", "$-");
    f("$0", "abc");
    f("$01", "");
    f("$9", "");
    f("plain", "plain");
    expect(new Template("plain", names).literal).toBe("plain");
  });
});

describe("RelabelRegex.replaceAll()", () => {
  test("matches Go ReplaceAllString", () => {
    const f = (expr: string, s: string, tpl: string, want: string) => {
      const r = new RelabelRegex(expr);
      expect(r.replaceAll(s, r.template(tpl))).toBe(want);
      expect(r.replaceAll(s, r.template(tpl))).toBe(want); // cached
    };
    f("b*", "abc", "X", "XaXcX");
    f("a*", "baaac", "-", "-b-c-");
    f("", "ab", "-", "-a-b-");
    f("(o)", "foo", "[$1]", "f[o][o]");
    f("x", "😀x😀", "y", "😀y😀");
    f("", "😀", "-", "-😀-");
  });
});
