// Lines becoming records: continuation, inherited times, CRLF and colour removal, docker's
// json-file lines, overlong lines, and gzip inputs.

import Foundation
import Testing

@testable import ArrayToolKit

@Suite struct LogRecordStreamTests {
  /// A report's sample is the first 400 characters of the message, cut by bytes when they are
  /// plain ASCII and by characters otherwise, and always as `String.prefix` would cut it.
  @Test func samplesKeepTheFirst400Characters() {
    let ascii = String(repeating: "abcdefghij", count: 45)
    let cases: [(String, String)] = [
      ("short message\nTraceback line", "short message"),
      (ascii, String(ascii.prefix(400))),
      (String(repeating: "é", count: 450), String(repeating: "é", count: 400)),
      // A combining accent right after the cut joins the last character kept.
      (
        String(repeating: "a", count: 400) + "\u{301}b",
        String(repeating: "a", count: 399) + "a\u{301}"
      ),
      // A carriage return is a character of its own: the line feed it could join ends the
      // message.
      (String(repeating: "a", count: 398) + "\r\rxyz", String(repeating: "a", count: 398) + "\r\r"),
      ("", ""),
    ]
    for (text, expected) in cases {
      let sample = Array(text.utf8).withUnsafeBufferPointer { LogRecord.sample(of: $0) }
      #expect(sample == expected)
      let message = text.split(separator: "\n", omittingEmptySubsequences: false)[0]
      #expect(sample == String(message.prefix(400)))
    }
  }

  @Test func crlfEndingsAndColoursAreRemoved() throws {
    let log =
      "\u{1B}[32mapi-1  |\u{1B}[0m 2025-10-07 01:00:00,000 - \u{1B}[31mERROR\u{1B}[0m - boom\r\n"
      + "2025-10-07 01:00:01,000 - INFO - ok\r\n"
    let records = try LogTestSupport.records(log)
    #expect(records.map(\.message) == ["boom", "ok"])
    #expect(records.map(\.level) == [.error, .info])
  }

  @Test func loneCarriageReturnsEndTheLinesOfAnOldMacLog() throws {
    let log =
      "2025-10-07 01:00:00,000 - ERROR - boom\r2025-10-07 01:00:01,000 - INFO - ok\r\r"
      + "2025-10-07 01:00:02,000 - WARNING - late\r2025-10-07 01:00:03,000 - INFO - end"
    // Read whole, and across refills of a buffer smaller than the log.
    for bufferSize in [1 << 16, 64] {
      let records = try LogTestSupport.records(log, bufferSize: bufferSize)
      #expect(records.map(\.message) == ["boom", "ok", "late", "end"])
      #expect(records.map(\.level) == [.error, .info, .warning, .info])
      #expect(records.map(\.line) == [1, 2, 4, 5])
    }
    // A CR LF after the first buffer, read with lone carriage returns, ends one line.
    let mixed = log.replacingOccurrences(of: "late\r", with: "late\r\n")
    let records = try LogTestSupport.records(mixed, bufferSize: 64)
    #expect(records.map(\.message) == ["boom", "ok", "late", "end"])
    #expect(records.map(\.line) == [1, 2, 4, 5])
    // In a log of newlines a carriage return stays inside its line (a progress counter).
    let progress = try LogTestSupport.records(
      "2025-10-07 01:00:00,000 - INFO - progress 10%\rprogress 20%\n" + log)
    #expect(progress.map(\.message).first == "progress 10%\rprogress 20%")
    #expect(progress.count == 2)
  }

  @Test func coloursAreFoundWhereverTheBufferIsRefilled() throws {
    // A buffer of 128 bytes is refilled every few lines, and the 300-byte line is cut at it:
    // coloured and plain lines must come out the same on either side of every refill.
    var log = ""
    var messages: [String] = []
    var levels: [LogLevel] = []
    for index in 0..<60 {
      let second = String(format: "%02d", index)
      let text = "m\(index)" + String(repeating: "x", count: index * 7 % 50)
      if index == 30 {
        log += "2025-10-07 01:00:\(second),000 - \u{1B}[31mERROR\u{1B}[0m - "
        log += String(repeating: "y", count: 300) + "\n"
        // 43 bytes before the message, 4 of them escapes' and 5 the colour's: 85 bytes fit.
        messages.append(String(repeating: "y", count: 85))
        levels.append(.error)
      } else if index % 3 == 0 {
        log += "2025-10-07 01:00:\(second),000 - \u{1B}[31mERROR\u{1B}[0m - \(text)\n"
        messages.append(text)
        levels.append(.error)
      } else {
        log += "2025-10-07 01:00:\(second),000 - INFO - \(text)\n"
        messages.append(text)
        levels.append(.info)
      }
    }
    let records = try LogTestSupport.records(log, bufferSize: 128)
    #expect(records.map(\.message) == messages)
    #expect(records.map(\.level) == levels)
  }

  @Test func linesWithoutTimeTakeThePreviousTimeAndLeadingOnesTheFirst() throws {
    let log = """
      INFO:     early access line
      2025-10-07 01:00:05,000 - INFO - first timed
      ERROR:    later untimed
      2025-10-07 01:00:09,000 - INFO - second timed

      """
    let records = try LogTestSupport.records(log)
    #expect(
      records.map { $0.time?.text ?? "-" } == [
        "2025-10-07 01:00:05.000", "2025-10-07 01:00:05.000", "2025-10-07 01:00:05.000",
        "2025-10-07 01:00:09.000",
      ])
    #expect(
      records.map(\.message) == [
        "early access line", "first timed", "later untimed", "second timed",
      ])
  }

  @Test func aRecordWithAnImpossibleTimeTakesThePreviousTime() throws {
    let log = """
      2025-10-07 01:15:00,000 - INFO - start
      2025-02-30 01:15:30,000 - ERROR - [Worker 1] connection refused by vmagent:8429
      2025-10-07 01:16:00,000 - INFO - end

      """
    let records = try LogTestSupport.records(log)
    #expect(
      records.map { $0.time?.text ?? "-" } == [
        "2025-10-07 01:15:00.000", "2025-10-07 01:15:00.000", "2025-10-07 01:16:00.000",
      ])
    #expect(records.map(\.level) == [.info, .error, .info])
    #expect(records.map(\.timeIsInvalid) == [false, true, false])
    #expect(records[1].message == "[Worker 1] connection refused by vmagent:8429")
  }

  @Test func aLogWithoutAnyTimeKeepsItsRecordsUntimed() throws {
    let log = (0..<300).map { "ERROR: failure \($0)" }.joined(separator: "\n")
    let records = try LogTestSupport.records(log)
    #expect(records.count == 300)
    #expect(records.allSatisfy { $0.time == nil })
    #expect(records.last?.message == "failure 299")
  }

  @Test func tracebacksJoinTheErrorButNotAnInfoLine() throws {
    let log = """
      2025-10-07 01:00:00,000 - ERROR - failed
      Traceback (most recent call last):
        File "a.py", line 1, in <module>
      ValueError: bad
      2025-10-07 01:00:01,000 - INFO - carrying on
      Traceback (most recent call last):
        File "b.py", line 2, in <module>
      OSError: [Errno 28] No space left on device

      """
    let records = try LogTestSupport.records(log)
    #expect(records.count == 3)
    #expect(records[0].continuationLines == 3)
    #expect(records[2].isBareTraceback)
    #expect(records[2].isError)
    let facts = ErrorClassifier.facts(of: String(decoding: records[2].text, as: UTF8.self))
    #expect(facts.errorClass == .diskFull)
  }

  @Test func dockerJsonFileLinesAreOpened() throws {
    let log = """
      {"log":"2025-10-07 01:00:00,000 - ERROR - boom\\n","stream":"stderr","time":"2025-10-07T01:00:00.5Z"}
      {"log":"Traceback (most recent call last):\\n","stream":"stderr","time":"2025-10-07T01:00:00.6Z"}
      {"log":"  File \\"x.py\\", line 1\\n","stream":"stderr","time":"2025-10-07T01:00:00.6Z"}
      {"log":"plain start\\n","stream":"stdout","time":"2025-10-07T01:00:02.25Z"}

      """
    let records = try LogTestSupport.records(log)
    #expect(records.map(\.message) == ["boom", "plain start"])
    #expect(
      records.map { $0.time?.text ?? "" } == ["2025-10-07 01:00:00.000", "2025-10-07 01:00:02.250"])
    #expect(records[0].continuationLines == 2)
  }

  @Test func jsonLinesKeepTheirOtherFieldsForClassification() throws {
    let log =
      #"{"time":"2025-10-07T01:00:00Z","level":"error","msg":"send failed","worker":4,"#
      + #""err":"dial tcp: lookup vm on 127.0.0.11:53: no such host"}"#
    let records = try LogTestSupport.records(log)
    #expect(records.first?.message == "send failed")
    #expect(
      records.first.map { String(decoding: $0.text, as: UTF8.self) }
        == "send failed\nerr=dial tcp: lookup vm on 127.0.0.11:53: no such host")
    #expect(records.first?.workerField == 4)
  }

  /// The reader searches each block it reads for escapes once and looks at a line's start only
  /// when one lies there; an escape in the skipped rest of a cut line or far inside a line must
  /// neither hide the colours of the lines after it nor clean a line that has none at its start.
  @Test func coloursAreFoundAfterCutLinesAndLateEscapes() throws {
    let clock = "2025-10-07 01:00:0"
    var log = "\(clock)0,000 - ERROR - " + String(repeating: "a", count: 100) + "\u{1B}[1m"
    log += String(repeating: "b", count: 100) + "\n"
    log += "\u{1B}[31m\(clock)1,000 - ERROR - red\u{1B}[0m\n"
    log += "\(clock)2,000 - INFO - plain\n"
    log += "\(clock)3,000 - INFO - " + String(repeating: "c", count: 40) + "\u{1B}[0m late\n"
    log += "\(clock)4,000 - \u{1B}[33mWARNING\u{1B}[0m - yellow\n"
    log += "\(clock)5,000 - ERROR - " + String(repeating: "d", count: 200) + "\n"
    log += "\(clock)6,000 - \u{1B}[31mERROR\u{1B}[0m - after a cut line\n"
    let stream = LogRecordStream(input: 0, source: MemorySource(Array(log.utf8)), bufferSize: 64)
    var records: [(LogLevel, String)] = []
    while try stream.advance() { records.append((stream.current.level, stream.current.message)) }
    #expect(records.map(\.0) == [.error, .error, .info, .info, .warning, .error, .error])
    #expect(
      records.map(\.1) == [
        String(repeating: "a", count: 30), "red", "plain",
        // The escape lies past the buffer's 64 bytes, in the part of the line that is cut.
        String(repeating: "c", count: 31), "yellow", String(repeating: "d", count: 30),
        "after a cut line",
      ])
    #expect(stream.cutLines == 3)
  }

  /// A cut line whose skipped rest fills the buffer twice, with an escape in the part dropped
  /// first: the escape found there says nothing of the bytes read after it.
  @Test func aLevelColouredFarIntoTheLineIsFoundAndControlsAreRemoved() throws {
    // A long logger name puts the coloured level past the first 64 bytes; a message may carry
    // sequences that would retitle or clear the terminal the report is read on.
    let log = "2025-10-07 01:22:01,120 - arraytool.importer.pipeline.streaming - "
      + "\u{1B}[31mERROR\u{1B}[0m - Failed to send batch\n"
      + "2025-10-07 01:22:02,120 - ERROR - window \u{1B}]0;pwned-title\u{07} \u{1B}[2J cleared\n"
    let records = try LogTestSupport.records(log)
    #expect(records.map(\.level) == [.error, .error])
    #expect(records.map(\.message) == ["Failed to send batch", "window   cleared"])
  }

  @Test func aByteOrderMarkAndATruncationHoleHideNoLine() throws {
    let lines = (1...3).map { "2025-10-07 01:00:0\($0),000 - ERROR - failure \($0)\n" }.joined()
    let marked = try LogTestSupport.records([0xEF, 0xBB, 0xBF] + Array(lines.utf8))
    #expect(marked.map(\.level) == [.error, .error, .error])
    #expect(marked.map(\.message) == ["failure 1", "failure 2", "failure 3"])
    #expect(marked.first?.time?.text == "2025-10-07 01:00:01.000")
    // What copytruncate leaves: zeros where the old content was, then the lines written since;
    // the hole may be larger than the buffer, and is no line to cut.
    for holeSize in [5000, 1024, 3 * 1024 + 17] {
      let stream = LogRecordStream(
        input: 0, source: MemorySource([UInt8](repeating: 0, count: holeSize) + Array(lines.utf8)),
        bufferSize: 1024)
      var messages: [String] = []
      while try stream.advance() { messages.append(stream.current.message) }
      #expect(messages == ["failure 1", "failure 2", "failure 3"], "hole of \(holeSize)")
      #expect(stream.cutLines == 0)
    }
  }

  @Test func anEscapeInADroppedPartHidesNoColours() throws {
    // 64 bytes, then 64 more with an escape at 40, then the line's end and a coloured line.
    var log = "2025-10-07 01:00:00,000 - ERROR - " + String(repeating: "a", count: 30)
    log += String(repeating: "b", count: 40) + "\u{1B}" + String(repeating: "c", count: 23)
    log += "dd\n\u{1B}[31mERROR\u{1B}[0m: x\n2025-10-07 01:00:01,000 - INFO - after\n"
    let stream = LogRecordStream(input: 0, source: MemorySource(Array(log.utf8)), bufferSize: 64)
    var records: [(LogLevel, String)] = []
    while try stream.advance() { records.append((stream.current.level, stream.current.message)) }
    #expect(records.map(\.0) == [.error, .error, .info])
    #expect(records.map(\.1) == [String(repeating: "a", count: 30), "x", "after"])
  }

  @Test func anOverlongLineIsCutAndTheNextLineIsIntact() throws {
    let long = "2025-10-07 01:00:00,000 - ERROR - " + String(repeating: "x", count: 5000)
    let log = long + "\n2025-10-07 01:00:01,000 - INFO - next\n"
    let stream = LogRecordStream(input: 0, source: MemorySource(Array(log.utf8)), bufferSize: 1024)
    var messages: [String] = []
    while try stream.advance() { messages.append(stream.current.message) }
    #expect(messages.count == 2)
    #expect(messages[0].count == 1024 - 34)
    #expect(messages[1] == "next")
    #expect(stream.cutLines == 1)
  }

  @Test(arguments: ["\n", "\r\n", ""])
  func aLineAsLongAsTheBufferIsWholeAndNotCountedAsCut(ending: String) throws {
    // 1,024 bytes of line before its ending: the buffer holds all of it, and only the ending
    // (or nothing, at the end of the input) comes after.
    let line = "2025-10-07 01:00:00,000 - ERROR - " + String(repeating: "x", count: 1024 - 34)
    let log = line + ending + (ending.isEmpty ? "" : "2025-10-07 01:00:01,000 - INFO - next\n")
    let stream = LogRecordStream(input: 0, source: MemorySource(Array(log.utf8)), bufferSize: 1024)
    var messages: [String] = []
    while try stream.advance() { messages.append(stream.current.message) }
    #expect(messages.first?.count == 1024 - 34)
    #expect(messages.count == (ending.isEmpty ? 1 : 2))
    #expect(stream.cutLines == 0)
  }

  @Test(arguments: ["\n", "\r\n", ""])
  func aLineTwiceOrThriceAsLongAsTheBufferIsCut(ending: String) throws {
    for multiple in [2, 3] {
      let line = "2025-10-07 01:00:00,000 - ERROR - "
        + String(repeating: "x", count: multiple * 1024 - 34)
      let log = line + ending + (ending.isEmpty ? "" : "2025-10-07 01:00:01,000 - INFO - next\n")
      let stream = LogRecordStream(input: 0, source: MemorySource(Array(log.utf8)), bufferSize: 1024)
      var messages: [String] = []
      while try stream.advance() { messages.append(stream.current.message) }
      #expect(messages.first?.count == 1024 - 34)
      #expect(messages.count == (ending.isEmpty ? 1 : 2))
      #expect(stream.cutLines == 1, "\(multiple) buffers")
    }
  }

  @Test func aLineOneByteLongerThanTheBufferIsCut() throws {
    let line = "2025-10-07 01:00:00,000 - ERROR - " + String(repeating: "x", count: 1025 - 34)
    let log = line + "\n2025-10-07 01:00:01,000 - INFO - next\n"
    let stream = LogRecordStream(input: 0, source: MemorySource(Array(log.utf8)), bufferSize: 1024)
    var messages: [String] = []
    while try stream.advance() { messages.append(stream.current.message) }
    #expect(messages.map(\.count) == [1024 - 34, 4])
    #expect(stream.cutLines == 1)
  }

  @Test func gzipLogsReadLikePlainOnes() throws {
    let log = IncidentLog.render(IncidentLog.night, style: .python)
    let bytes = Array(log.utf8)
    // Two members, as logrotate's delaycompress and cat produce.
    let half = bytes.count / 2
    let gzip = Gzip.compress(Array(bytes[..<half])) + Gzip.compress(Array(bytes[half...]))
    let analysis = try LogTestSupport.analyze([gzip])
    #expect(analysis.burstSummaries == IncidentLog.nightBursts)
  }

  @Test func aTruncatedGzipLogIsReportedWithItsOffset() throws {
    let bytes = Array(IncidentLog.render(IncidentLog.night, style: .python).utf8)
    let gzip = Gzip.compress(bytes)
    let cut = Array(gzip[..<(gzip.count - 100)])
    var failures: [String] = []
    let source = try LogInput.decoding(MemorySource(cut), name: "night.log.gz")
    _ = LogAnalyzer.analyze(
      sources: [source], options: LogAnalysisOptions(),
      failed: { error in
        failures.append((error as? LogInputError)?.userMessage ?? "\(error)")
      })
    #expect(failures == ["night.log.gz: gzip data ends early at offset \(cut.count)"])
  }

  @Test func aDamagedGzipLogIsReported() throws {
    var gzip = Gzip.compress(Array(IncidentLog.render(IncidentLog.night, style: .python).utf8))
    gzip[gzip.count - 2] ^= 0xFF
    var failures: [String] = []
    _ = LogAnalyzer.analyze(
      sources: [try LogInput.decoding(MemorySource(gzip), name: "x.gz")],
      options: LogAnalysisOptions(),
      failed: { failures.append(($0 as? LogInputError)?.reason ?? "") })
    #expect(
      failures == [
        "member 1: the trailer gives a length of 16734460 bytes (mod 2^32) but the data is "
          + "22780 bytes"
      ])
  }
}
