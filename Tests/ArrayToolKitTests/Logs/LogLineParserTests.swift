// Each line style on its own: where the time, level and message are, which lines continue a
// record, and the status of access lines.

import Testing

@testable import ArrayToolKit

@Suite struct LogLineParserTests {
  /// The shape of `line` as (kind, time, level, message, status).
  private func parse(_ line: String) -> (LineShape.Kind, String?, LogLevel, String, Int) {
    var bytes = Array(line.utf8)
    return bytes.withUnsafeMutableBufferPointer { buffer in
      let line = UnsafeBufferPointer(buffer)
      var parser = LogLineParser()
      let shape = parser.parse(line)
      var message = Array(line[shape.message])
      if shape.messageIsJSON {
        message.removeAll()
        JSONLogLine.decodeString(line, shape.message, into: &message)
      }
      return (
        shape.kind, shape.time?.text, shape.level, String(decoding: message, as: UTF8.self),
        shape.status
      )
    }
  }

  /// Whether `line` is read as opening with a timestamp that is no time.
  private func timeIsInvalid(_ line: String) -> Bool {
    var bytes = Array(line.utf8)
    return bytes.withUnsafeMutableBufferPointer { buffer in
      var parser = LogLineParser()
      return parser.parse(UnsafeBufferPointer(buffer)).timeIsInvalid
    }
  }

  @Test func pythonLoggingWithDashesOrBrackets() {
    #expect(
      parse("2025-10-07 01:22:09,120 - ERROR - Failed to send batch")
        == (.record, "2025-10-07 01:22:09.120", .error, "Failed to send batch", 0))
    #expect(
      parse("[2025-10-07 01:22:09,120][WARNING] [Worker 3] Skipping")
        == (.record, "2025-10-07 01:22:09.120", .warning, "[Worker 3] Skipping", 0))
  }

  /// Python's level names are read as one word when the line is long enough, and by the
  /// general word reader otherwise; both give the same shape.
  @Test func pythonLevelsReadAsOneWordOrWordByWord() {
    let levels: [(String, LogLevel)] = [
      ("DEBUG", .debug), ("INFO", .info), ("WARNING", .warning), ("ERROR", .error),
      ("CRITICAL", .critical), ("NOTICE", .info), ("warning", .warning),
    ]
    for (name, level) in levels {
      for message in ["x", "a message long enough for the word"] {
        let line = "2025-10-07 01:22:09,120 - \(name) - \(message)"
        #expect(parse(line) == (.record, "2025-10-07 01:22:09.120", level, message, 0), "\(line)")
      }
    }
    // A word that merely starts like a level is none, and the line goes the general way.
    #expect(
      parse("2025-10-07 01:22:09,120 - INFORMATION - started the service")
        == (.record, "2025-10-07 01:22:09.120", .unknown, "INFORMATION - started the service", 0))
    #expect(
      parse("2025-10-07 01:22:09,120 - CRITICALx - a message long enough")
        == (.record, "2025-10-07 01:22:09.120", .unknown, "CRITICALx - a message long enough", 0))
    #expect(
      parse("2025-10-07 01:22:09,120 - WARNING -no space after the dash here")
        == (.record, "2025-10-07 01:22:09.120", .warning, "-no space after the dash here", 0))
  }

  /// Lines that share a minute take their hours and minutes from the line before; a new
  /// minute, hour or date is read in full, and a clock that is no time stays none.
  @Test func timesOfConsecutiveLinesSharingTheirMinute() {
    var parser = LogLineParser()
    let lines = [
      "2025-10-07 01:22:09,120 - INFO - a", "2025-10-07 01:22:59,999 - INFO - b",
      "2025-10-07 01:23:00,000 - INFO - c", "2025-10-08 01:23:00,001 - INFO - d",
      "2025-10-08 01:23:61,000 - INFO - e", "2025-10-08 01:23:05.5 - INFO - f",
      "2025-10-08 02:23:05,000 - INFO - g", "2025-10-08 01:23:07Z INFO h",
    ]
    let times = lines.map { text -> String? in
      var bytes = Array(text.utf8)
      return bytes.withUnsafeMutableBufferPointer {
        parser.parse(UnsafeBufferPointer($0)).time?.text
      }
    }
    #expect(
      times == [
        "2025-10-07 01:22:09.120", "2025-10-07 01:22:59.999", "2025-10-07 01:23:00.000",
        "2025-10-08 01:23:00.001", nil, "2025-10-08 01:23:05.500", "2025-10-08 02:23:05.000",
        "2025-10-08 01:23:07.000",
      ])
  }

  @Test func aLoggerNameOrProcessMayComeBeforeTheLevel() {
    #expect(
      parse("2025-10-07 01:22:09,120 - importer.worker - CRITICAL - out of memory")
        == (.record, "2025-10-07 01:22:09.120", .critical, "out of memory", 0))
    #expect(
      parse("[2025-10-07 01:22:09 +0000] [7] [ERROR] Worker timeout")
        == (.record, "2025-10-07 01:22:09.000", .error, "Worker timeout", 0))
  }

  @Test func dockerComposePrefixesWithAndWithoutTimestamps() {
    #expect(
      parse("api-1  | 2025-10-07 01:22:09,120 - INFO - ready")
        == (.record, "2025-10-07 01:22:09.120", .info, "ready", 0))
    #expect(
      parse("worker_2 | 2025-10-07T01:22:09.120000000Z ERROR boom")
        == (.record, "2025-10-07 01:22:09.120", .error, "boom", 0))
  }

  @Test func theApplicationsOwnTimeWinsOverDockers() {
    #expect(
      parse("2025-10-07T01:22:10.000000000Z 2025-10-07 03:22:09,120 - ERROR - x")
        == (.record, "2025-10-07 03:22:09.120", .error, "x", 0))
  }

  @Test func uvicornLinesAndTheirStatus() {
    #expect(
      parse(
        "INFO:     172.18.0.5:41234 - \"POST /api/v1/import HTTP/1.1\" 500 Internal Server Error")
        == (
          .record, nil, .info,
          "172.18.0.5:41234 - \"POST /api/v1/import HTTP/1.1\" 500 Internal Server Error",
          500
        ))
    #expect(
      parse("ERROR:    Exception in ASGI application") == (
        .record, nil, .error, "Exception in ASGI application", 0
      ))
    #expect(
      parse("10.0.0.1 - - [07/Oct/2025:01:22:09 +0000] \"GET / HTTP/1.1\" 429 12")
        == (
          .record, "2025-10-07 01:22:09.000", .unknown,
          "10.0.0.1 - - [07/Oct/2025:01:22:09 +0000] \"GET / HTTP/1.1\" 429 12", 429
        ))
    #expect(parse("2025-10-07 01:22:09,120 - INFO - PROGRESS_JSON: {\"a\": \"b\"} 500").4 == 0)
  }

  @Test func jsonLinesWithCommonKeys() {
    #expect(
      parse(
        #"{"time": "2025-10-07T01:22:09.120Z", "level": "error", "message": "dns \"down\"", "worker": 7}"#
      )
        == (.record, "2025-10-07 01:22:09.120", .error, "dns \"down\"", 0))
    #expect(
      parse(#"{"ts": 1759800129.12, "lvl": 50, "msg": "x", "status_code": 503}"#)
        == (.record, "2025-10-07 01:22:09.120", .error, "x", 503))
    #expect(parse(#"{"levelname": "WARNING", "event": "\u00e9t\u00e9"}"#).3 == "été")
  }

  @Test func tracebackLinesContinueTheRecord() {
    #expect(parse("Traceback (most recent call last):").0 == .traceback)
    #expect(parse("  File \"/app/x.py\", line 3, in f").0 == .continuation)
    #expect(parse("EOFError: Compressed file ended").0 == .continuation)
    #expect(parse("urllib3.exceptions.MaxRetryError: pool").0 == .continuation)
    #expect(
      parse("During handling of the above exception, another exception occurred:").0
        == .continuation)
    #expect(parse("").0 == .continuation)
    #expect(parse("2025-10-07T01:22:09.120Z   File \"/app/x.py\", line 3").0 == .continuation)
    #expect(parse("api-1  | Traceback (most recent call last):").0 == .traceback)
    // Code quoted in a traceback may start with a level's word; its indentation tells.
    #expect(parse("2025-10-07T01:22:09.120456789Z     error = True").0 == .continuation)
    #expect(parse("2025-10-07 01:22:09,120  ERROR  two spaces").0 == .record)
  }

  @Test func aLevelWordLaterInTheLineCountsOnlyInCapitalsOrBrackets() {
    #expect(parse("2025-10-07 01:22:09,120 Processing error report").2 == .unknown)
    #expect(parse("2025-10-07 01:22:09,120 importer ERROR boom").2 == .error)
    #expect(parse("2025-10-07 01:22:09,120 [MainThread] [warning] slow").2 == .warning)
    #expect(parse("2025-10-07 01:22:09,120 error: boom").2 == .error)
  }

  @Test func plainTextWithoutTimeOrLevelIsARecordOfItsOwn() {
    #expect(parse("Starting importer v2") == (.record, nil, .unknown, "Starting importer v2", 0))
    #expect(parse("Error: not a level without capitals").2 == .unknown)
  }

  @Test func aTimestampThatIsNoTimeKeepsTheLevelAndMessage() {
    let lines = [
      "2025-02-30 01:15:00,000 - ERROR - connection refused",
      "2025-10-07 25:15:00,000 - ERROR - connection refused",
      "2025-13-07 01:61:99.000 - ERROR - connection refused",
      "0000-00-00 00:00:00,000 - ERROR - connection refused",
      "0000-01-01 00:00:00,000 - ERROR - connection refused",
      "-001-01-01 00:00:00,000 - ERROR - connection refused",
      "[2025-02-30 01:15:00,000][ERROR] connection refused",
      "api-1  | 2025-10-07T25:15:00.123456789Z ERROR connection refused",
      "99999-01-01T00:00:00+02:00 ERROR connection refused",
    ]
    for line in lines {
      #expect(parse(line) == (.record, nil, .error, "connection refused", 0), "\(line)")
      #expect(timeIsInvalid(line), "\(line)")
    }
    // Docker's time stands when only the application's own is wrong.
    let inner = "2025-10-07T01:22:10.000000000Z 2025-02-30 03:22:09,120 - ERROR - x"
    #expect(parse(inner) == (.record, "2025-10-07 01:22:10.000", .error, "x", 0))
    #expect(!timeIsInvalid(inner))
  }

  @Test func aJsonTimeThatIsNoTimeIsTold() {
    let wrong = #"{"time":"2025-02-30T01:15:00Z","level":"error","msg":"boom"}"#
    #expect(parse(wrong) == (.record, nil, .error, "boom", 0))
    #expect(timeIsInvalid(wrong))
    #expect(timeIsInvalid(#"{"ts":1e308,"level":"error","msg":"boom"}"#))
    #expect(!timeIsInvalid(#"{"time":null,"level":"error","msg":"boom"}"#))
    #expect(!timeIsInvalid(#"{"level":"error","msg":"boom"}"#))
  }

  @Test func numbersThatAreNoTimestampAreText() {
    #expect(parse("2025-10-07 is the day") == (.record, nil, .unknown, "2025-10-07 is the day", 0))
    #expect(!timeIsInvalid("2025-10-07 is the day"))
    #expect(!timeIsInvalid("12:30:00 ERROR boom"))
  }
}
