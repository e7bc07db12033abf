// The byte buffer the text report is written into: paragraphs wrapped at the width with words
// beyond ASCII counted by characters, times and numbers written digit by digit, and the end of
// a summary row trimmed as Foundation trims. Each case checks the exact bytes written.

import Testing

@testable import ArrayToolKit

@Suite struct ReportTextTests {
  private func wrapped(
    _ paragraph: ReportText, indent: Int = 0, hanging: Int? = nil, bullet: StaticString? = nil,
    width: Int
  ) -> String {
    var text = ReportText()
    text.writeWrapped(paragraph, indent: indent, hanging: hanging, bullet: bullet, width: width)
    return text.string
  }

  @Test func wrapsAtTheWidthWithTheIndentOnEveryLine() {
    #expect(wrapped("aaa bbb ccc dd", indent: 2, width: 9) == "  aaa bbb\n  ccc dd")
    #expect(wrapped("aaa bbb ccc", indent: 2, width: 10) == "  aaa bbb\n  ccc")
    #expect(wrapped("aaa bbb ccc", indent: 2, width: 13) == "  aaa bbb ccc")
    // A word longer than the line stands on a line of its own.
    #expect(wrapped("a bbbbbbbbbbbb c", indent: 1, width: 6) == " a\n bbbbbbbbbbbb\n c")
  }

  @Test func aBulletOpensTheFirstLineAndTheOthersHang() {
    #expect(
      wrapped("the name is wrong", indent: 4, hanging: 6, bullet: "-", width: 14)
        == "    - the name\n      is wrong")
  }

  @Test func spacesBetweenWordsBecomeOneAndEmptyParagraphsWriteNothing() {
    #expect(wrapped("  a   b  c ", indent: 2, width: 80) == "  a b c")
    #expect(wrapped("", indent: 4, width: 80) == "")
    #expect(wrapped("   ", indent: 4, width: 80) == "")
  }

  @Test func wordsBeyondASCIICountByCharacters() {
    // Five bytes and three characters each: counted by bytes, two would not fit on a line.
    #expect(wrapped("été été été", width: 7) == "été été\nété")
    #expect(wrapped("“quoted” ×2 – next", width: 11) == "“quoted” ×2\n– next")
    // A combining accent joins its letter into one character.
    #expect(wrapped("e\u{301}e\u{301} ab cd", width: 5) == "e\u{301}e\u{301} ab\ncd")
    #expect(wrapped("\u{1F1EB}\u{1F1F7} ab", width: 4) == "\u{1F1EB}\u{1F1F7} ab")
  }

  @Test func asciiWordsCountByBytesEvenAroundACarriageReturn() {
    // As the report always wrapped: only a word with bytes beyond ASCII is counted by
    // characters, so `a\r\nb` counts four and does not fit after `xx` in six.
    #expect(wrapped("xx a\r\nb", width: 6) == "xx\na\r\nb")
  }

  @Test func timesAreWrittenDigitByDigit() throws {
    let time = try #require(
      LogTime(year: 2025, month: 10, day: 7, hour: 1, minute: 2, second: 9, millisecond: 45))
    let text: ReportText =
      "\(time)|\(clock: time)|\(date: time)|\(isoSeconds: time)|\(window: time, time)"
    #expect(
      text.string
        == "2025-10-07 01:02:09.045|01:02:09.045|2025-10-07|2025-10-07T01:02:09|"
        + "2025-10-07 01:02:09.045")
    let year = try #require(LogTime(year: 7, month: 1, day: 2))
    #expect(("\(year)" as ReportText).string == "0007-01-02 00:00:00.000")
  }

  @Test func aTimeWithAFiveDigitYearIsWrittenAsLogTimeWritesIt() throws {
    let last = try #require(LogTime(year: 9999, month: 12, day: 31, hour: 23, minute: 59))
    let later = last.adding(seconds: 120)
    let text: ReportText = "\(later)|\(isoSeconds: later)"
    #expect(text.string == "\(later.text)|\(later.isoSeconds)")
    #expect(text.string == "10000-01-01 00:01:00.000|10000-01-01T00:01:00")
  }

  @Test func numbersCountsAndDurations() {
    var text: ReportText = "\(0) \(-42) \(Int.max) \(Int.min) \(count: 1, "error") "
    text += "\(count: 2, "error") \(duration: 0.04) \(duration: 8.363) \(duration: 59.96)"
    text.write(" ")
    text.write(7, digits: 3)
    #expect(
      text.string
        == "0 -42 9223372036854775807 -9223372036854775808 1 error 2 errors 0 s 8.4 s 60 s 007")
    let bytes = text.withBytes { Array($0) }
    #expect(bytes.prefix(6) == [0x30, 0x20, 0x2D, 0x34, 0x32, 0x20])
  }

  @Test func shellWordsListsAndCuts() {
    let text: ReportText =
      "\(shellWord: "/data/a_1.tgz") \(shellWord: "it's") \(list: ["a", "b", "c"], limit: 2) "
      + "\(cut: "abcdef", 4) \(cut: "éééééé", 4) \("ab", padded: 4)|"
    #expect(text.string == #"/data/a_1.tgz 'it'\''s' a, b and 1 more abc… ééé… ab  |"#)
  }

  @Test func trimmingRemovesTrailingSpacesOfEveryKindAfterTheStart() {
    var text: ReportText = "  keep \u{00A0}\t\u{2009} "
    text.trimTrailingSpaces(after: 2)
    #expect(text.string == "  keep")
    var blank: ReportText = "ab   "
    blank.trimTrailingSpaces(after: 3)
    #expect(blank.string == "ab ")
  }

  @Test func copiesDoNotShareWrites() {
    var first: ReportText = "one"
    let second = first
    first.write(" two")
    first.uppercaseASCII(0..<3)
    #expect(first.string == "ONE two")
    #expect(second.string == "one")
    #expect(first.count == 7)
  }
}
