// Wall-clock log times: calendar arithmetic, the output form, and every timestamp spelling the
// reader accepts at the start of a line.

import Testing

@testable import ArrayToolKit

@Suite struct LogTimeTests {
  private func read(_ text: String) -> (String, Int)? {
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBufferPointer { buffer -> (String, Int)? in
      TimestampReader.read(UnsafeBufferPointer(buffer), at: 0).map { ($0.0.text, $0.1) }
    }
  }

  @Test func calendarFieldsRoundTripAcrossLeapDaysAndCenturies() throws {
    for (year, month, day) in [
      (1970, 1, 1), (2000, 2, 29), (2024, 12, 31), (1900, 3, 1), (2100, 2, 28), (1969, 12, 31),
    ] {
      let time = try #require(
        LogTime(
          year: year, month: month, day: day, hour: 23, minute: 59, second: 58, millisecond: 7))
      let c = time.components
      #expect(
        [c.year, c.month, c.day, c.hour, c.minute, c.second, c.millisecond] == [
          year, month, day, 23, 59, 58, 7,
        ])
    }
    #expect(LogTime(year: 2025, month: 10, day: 7)?.milliseconds == 1_759_795_200_000)
    #expect(LogTime(year: 2025, month: 2, day: 29) == nil)
    #expect(LogTime(year: 2025, month: 13, day: 1) == nil)
  }

  @Test func timesPrintWithMilliseconds() {
    #expect(
      LogTime(year: 2025, month: 10, day: 7, hour: 1, minute: 22, second: 9, millisecond: 120)?.text
        == "2025-10-07 01:22:09.120")
    #expect(
      LogTime(year: 2025, month: 10, day: 7, hour: 1, minute: 2, second: 3)?.isoSeconds
        == "2025-10-07T01:02:03")
  }

  @Test func pythonDockerAndISOTimestampsAreRead() {
    #expect(read("2025-10-07 01:22:09,120 - ERROR") ?? ("", 0) == ("2025-10-07 01:22:09.120", 23))
    #expect(
      read("2025-10-07T01:22:09.120456789Z api") ?? ("", 0) == ("2025-10-07 01:22:09.120", 30))
    #expect(read("2025-10-07T01:22:09+02:00 x") ?? ("", 0) == ("2025-10-07 01:22:09.000", 25))
    #expect(read("2025-10-07 01:22:09.5-0500") ?? ("", 0) == ("2025-10-07 01:22:09.500", 26))
    #expect(read("2025-10-07 01:22:09") ?? ("", 0) == ("2025-10-07 01:22:09.000", 19))
  }

  @Test func notATimestampIsNil() {
    #expect(read("2025-10-07 01:22") == nil)
    #expect(read("2025-13-07 01:22:09") == nil)
    #expect(read("2025-10-07 25:22:09") == nil)
    #expect(read("Traceback (most recent call last):") == nil)
  }

  @Test func boundsAcceptDatesMinutesAndFractions() {
    #expect(LogTime.parseBound("2025-10-07")?.text == "2025-10-07 00:00:00.000")
    #expect(LogTime.parseBound("2025-10-07 01:22")?.text == "2025-10-07 01:22:00.000")
    #expect(LogTime.parseBound("2025-10-07T01:22:09.5")?.text == "2025-10-07 01:22:09.500")
    #expect(LogTime.parseBound("yesterday") == nil)
    #expect(LogTime.parseBound("2025-10-07 01:22:09 junk") == nil)
    #expect(LogTime.parseBound("2025-10-07 01:22:09 junk", throughItsEnd: true) == nil)
  }

  @Test func anUntilBoundReachesTheEndOfWhatItNames() {
    let end = { LogTime.parseBound($0, throughItsEnd: true)?.text }
    #expect(end("2025-10-07") == "2025-10-07 23:59:59.999")
    #expect(end("2025-12-31") == "2025-12-31 23:59:59.999")
    #expect(end("2025-10-07 01:22") == "2025-10-07 01:22:59.999")
    #expect(end("2025-10-07T01:22:09") == "2025-10-07 01:22:09.999")
    #expect(end("2025-10-07 01:22:09.5") == "2025-10-07 01:22:09.599")
    #expect(end("2025-10-07 01:22:09.12") == "2025-10-07 01:22:09.129")
    #expect(end("2025-10-07 01:22:09.120") == "2025-10-07 01:22:09.120")
    #expect(end("2025-10-07 01:22:09.120456") == "2025-10-07 01:22:09.120")
    #expect(LogTime.parseBound("2025-10-07", throughItsEnd: false)?.text == "2025-10-07 00:00:00.000")
    #expect(LogTime.boundHasZone("2025-10-07 01:23:00+02:00"))
    #expect(LogTime.boundHasZone("2025-10-07T01:23:00Z"))
    #expect(LogTime.boundHasZone("2025-10-07T01:23:00.5-0500"))
    #expect(!LogTime.boundHasZone("2025-10-07 01:23:00.120"))
    #expect(!LogTime.boundHasZone("2025-10-07 01:23"))
    #expect(!LogTime.boundHasZone("2025-10-07"))
  }

  @Test func readsAnyNumberOfFractionDigitsAsMilliseconds() {
    func read(_ text: String) -> (String, Int)? {
      Array(text.utf8).withUnsafeBufferPointer { bytes in
        TimestampReader.read(bytes, at: 0).map { ($0.0.text, $0.1) }
      }
    }
    #expect(read("2025-10-07 01:22:09 x")! == ("2025-10-07 01:22:09.000", 19))
    #expect(read("2025-10-07 01:22:09,5 x")! == ("2025-10-07 01:22:09.500", 21))
    #expect(read("2025-10-07 01:22:09,12 x")! == ("2025-10-07 01:22:09.120", 22))
    #expect(read("2025-10-07 01:22:09,123 x")! == ("2025-10-07 01:22:09.123", 23))
    #expect(read("2025-10-07 01:22:09,123")! == ("2025-10-07 01:22:09.123", 23))
    #expect(read("2025-10-07T01:22:09.123456789Z x")! == ("2025-10-07 01:22:09.123", 30))
    #expect(read("2025-10-07T01:22:09.98765+02:00")! == ("2025-10-07 01:22:09.987", 31))
    // A separator without digits is not part of the time.
    #expect(read("2025-10-07 01:22:09, x")! == ("2025-10-07 01:22:09.000", 19))
  }
}
