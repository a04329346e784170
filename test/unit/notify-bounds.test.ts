import fc from 'fast-check';
import { boundBlock, boundLine, truncate } from '../../src/notify/bounds';
import { escapeMrkdwn } from '../../src/notify/chat-slack';
import { shellQuote } from '../../src/notify/summary';

describe('bounding untrusted text', () => {
  test('when text is longer than the limit, then it is cut with a marker and never exceeds the limit', () => {
    fc.assert(
      fc.property(fc.fullUnicodeString({ maxLength: 400 }), fc.integer({ min: 2, max: 300 }), (text, max) => {
        const bounded = boundLine(text, max);
        expect(bounded.length).toBeLessThanOrEqual(max);
        // eslint-disable-next-line no-control-regex -- asserting that control characters are gone
        expect(bounded).not.toMatch(/[\u0000-\u001f\u007f\u2028\u2029\u202e]/);
        expect(bounded).not.toMatch(/[\ud800-\udbff]$/);
      }),
    );
  });

  test('when a cut would split a surrogate pair, then the whole pair is dropped', () => {
    expect(truncate('ab😀cd', 4)).toBe('ab…');
  });

  test('when a line holds newlines or bidi overrides, then they become spaces', () => {
    expect(boundLine('row\r\nSubject: forged\u202egnp.exe')).toBe('row  Subject: forged gnp.exe');
  });

  test('when an error message spans lines, then the lines are kept and other controls dropped', () => {
    expect(boundBlock('first\r\nsecond\u0007\tthird')).toBe('first\nsecond\tthird');
  });
});

describe('escaping for chat and shell', () => {
  test('when text holds Slack control characters, then they are entity-escaped', () => {
    expect(escapeMrkdwn('<!here> & <http://x|y>')).toBe('&lt;!here&gt; &amp; &lt;http://x|y&gt;');
  });

  test('when a workflow ID holds quotes or shell syntax, then the quoted form reads back as the same word', () => {
    expect(shellQuote("a'b $(rm -rf ~)")).toBe("'a'\\''b $(rm -rf ~)'");
  });
});
