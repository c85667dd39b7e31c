import { copyText } from './copy-text';

describe('rows in COPY text format', () => {
  it('separates values by tabs and rows by line breaks, with null as \\N', () => {
    expect(
      copyText([
        ['a', 1, null],
        ['b', 2, undefined],
      ]),
    ).toBe('a\t1\t\\N\nb\t2\t\\N\n');
  });

  it("escapes a value's backslashes, tabs and line breaks, so that text reading as \\N stays text", () => {
    expect(copyText([['x\\Ny\tz\r\nw']])).toBe('x\\\\Ny\\tz\\r\\nw\n');
  });

  it('writes a bigint as its digits, a Date as its ISO time, a boolean as t or f', () => {
    expect(copyText([[12345678901234567890n, new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), true, false]])).toBe(
      '12345678901234567890\t2026-01-02T03:04:05.006Z\tt\tf\n',
    );
  });

  it('writes a list or an object as its JSON (a jsonb column), escaped as text is', () => {
    expect(copyText([[['a\tb', 1n], { note: 'line\nbreak' }]])).toBe('["a\\\\tb","1"]\t{"note":"line\\\\nbreak"}\n');
  });
});
