// The records that reach the analysis through the reading thread: every one, in order, with its
// fields, across many batches and several inputs, and a failing input reported where it failed.

import Testing

@testable import ArrayToolKit

@Suite struct RecordPipeTests {
  /// Line `index` of a generated log: an error with a traceback every seventh line, a worker
  /// line every third, a warning every eleventh, routine lines between.
  private static func line(_ index: Int, second: Int) -> String {
    let clock = String(format: "2025-10-07 %02d:%02d:%02d,000", second / 3600, second / 60 % 60, second % 60)
    if index % 7 == 0 {
      return "\(clock) - ERROR - [Worker \(index % 40)] Failed to send batch \(index)\n"
        + "Traceback (most recent call last):\n  File \"x.py\", line \(index)\nOSError: boom \(index)\n"
    }
    if index % 11 == 0 { return "\(clock) - WARNING - slow response \(index)\n" }
    if index % 3 == 0 { return "\(clock) - INFO - [Worker \(index % 40)] Processing PerfData_\(index).tgz\n" }
    return "\(clock) - INFO - routine line \(index) " + String(repeating: "x", count: index % 200) + "\n"
  }

  /// On its own thread, and on the calling thread as when no thread can be started.
  @Test(arguments: [true, false])
  func handsOverEveryRecordOfTwoInputsInTimeOrder(threaded: Bool) throws {
    // 6,000 records in each input: three batches' worth together, interleaved by time.
    let count = 6_000
    let first = (0..<count).map { Self.line($0, second: 2 * $0) }.joined()
    let second = (0..<count).map { Self.line($0, second: 2 * $0 + 1) }.joined()
    let inputs = [first, second]
    func streams() -> [LogRecordStream] {
      inputs.enumerated().map { LogRecordStream(input: $0, source: MemorySource(Array($1.utf8))) }
    }
    var expected: [LogRecord] = []
    let merger = LogRecordMerger(streams: streams()) { Issue.record("failed: \($0)") }
    while let record = merger.next() { expected.append(record.copy()) }
    #expect(expected.count == 2 * count)

    let pipe = RecordPipe(streams: streams(), threaded: threaded) { Issue.record("failed: \($0)") }
    var index = 0
    pipe.forEach { record, text in
      let want = expected[index]
      #expect(record.time == want.time && record.level == want.level)
      #expect(record.input == index % 2 && record.line == want.line && record.input == want.input)
      #expect(record.continuationLines == want.continuationLines)
      if want.isError || want.level == .warning || want.text.first == 0x5B {
        #expect(Array(text) == want.text)
      } else {
        #expect(text.isEmpty)
      }
      #expect(record.text.isEmpty)
      index += 1
    }
    #expect(index == 2 * count)
    // Record 7 of the first input is an error on line 7 + 3 * 1 (one traceback before it).
    let error = expected.first { $0.isError && $0.input == 0 && $0.time == LogTestSupport.time("2025-10-07 00:00:14") }
    #expect(error?.line == 11)
    #expect(error.map { String(decoding: $0.text, as: UTF8.self) }
      == "[Worker 7] Failed to send batch 7\nTraceback (most recent call last):\n  File \"x.py\", line 7\nOSError: boom 7")
  }

  @Test func keepsTextsLongerThanABatchHolds() throws {
    // Three errors of 600 KB: the second does not fit beside the first in a batch's arena.
    let texts = (0..<3).map { index in
      "[Worker \(index)] " + String(repeating: Character(UnicodeScalar(UInt8(0x61 + index))), count: 600_000)
    }
    let log = texts.enumerated().map { "2025-10-07 00:00:0\($0),000 - ERROR - \($1)\n" }.joined()
    let stream = LogRecordStream(input: 0, source: MemorySource(Array(log.utf8)))
    let pipe = RecordPipe(streams: [stream]) { Issue.record("failed: \($0)") }
    var seen: [String] = []
    pipe.forEach { _, text in seen.append(String(decoding: text, as: UTF8.self)) }
    #expect(seen == texts)
  }

  /// A source that gives its bytes, then fails.
  private final class FailingSource: ByteSource {
    let inner: MemorySource
    init(_ bytes: [UInt8]) { inner = MemorySource(bytes) }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
      let count = try inner.read(into: buffer)
      if count == 0 { throw LogTestFailure(messages: ["disk went away"]) }
      return count
    }
  }

  /// An input that fails in the middle of its last line (a .gz cut short): the part of the line
  /// read is a record, an error here, handed out before the failure.
  @Test func theLineCutByAFailureIsStillARecord() throws {
    let log = "2025-10-07 00:00:00,500 - INFO - one\n2025-10-07 00:00:01,500 - ERROR - cut off he"
    let stream = LogRecordStream(input: 0, source: FailingSource(Array(log.utf8)))
    var events: [String] = []
    let pipe = RecordPipe(streams: [stream], threaded: false) { _ in events.append("failed") }
    pipe.forEach { record, text in
      events.append("\(record.level) \(String(decoding: text, as: UTF8.self))")
    }
    #expect(events == ["info ", "error cut off he", "failed"])
  }

  @Test(arguments: [true, false])
  func reportsAFailedInputAfterTheRecordsReadBeforeIt(threaded: Bool) throws {
    let good = (0..<5_000).map { Self.line($0, second: $0) }.joined()
    let broken = "2025-10-07 00:00:00,500 - ERROR - one\n2025-10-07 00:00:01,500 - ERROR - two\n"
    let streams = [
      LogRecordStream(input: 0, source: FailingSource(Array(broken.utf8))),
      LogRecordStream(input: 1, source: MemorySource(Array(good.utf8))),
    ]
    var events: [String] = []
    let pipe = RecordPipe(streams: streams, threaded: threaded) { events.append("failed \($0)") }
    pipe.forEach { record, text in
      if record.input == 0 { events.append(String(decoding: text, as: UTF8.self)) }
      events.append("record")
    }
    // The broken input's first record comes after input 1's record at 00:00:00. Its second
    // is still open when the input fails: it is handed out as read, at 00:00:01.5 after input
    // 1's record at 00:00:01, and the failure is told right after it.
    let kept = events.filter { $0 != "record" }
    #expect(kept == ["one", "two", "failed LogTestFailure(messages: [\"disk went away\"])"])
    #expect(events.count(where: { $0 == "record" }) == 5_000 + 2)
    #expect(events.firstIndex(of: "one") == 1)
    #expect(events.firstIndex(of: "two") == 4)
    #expect(events.firstIndex { $0.hasPrefix("failed") } == 6)
  }
}
