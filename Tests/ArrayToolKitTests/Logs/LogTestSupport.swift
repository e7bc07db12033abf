// Helpers for the log analysis tests: analyse text held in memory, read the records of a log,
// find the committed fixtures, and look at a burst as the few values the tests compare.

import Foundation

@testable import ArrayToolKit

enum LogTestSupport {
  /// The analysis of logs given as text (or bytes), one input each, merged by time.
  static func analyze(
    _ logs: [[UInt8]], gap: Double = 30, since: LogTime? = nil, until: LogTime? = nil
  ) throws -> LogAnalysis {
    var failures: [String] = []
    let sources = try logs.enumerated().map { index, bytes -> ByteSource? in
      try LogInput.decoding(MemorySource(bytes), name: "log\(index)")
    }
    var analysis = LogAnalyzer.analyze(
      sources: sources, options: LogAnalysisOptions(gap: gap, since: since, until: until),
      failed: { failures.append("\($0)") })
    analysis.inputs = logs.indices.map { "log\($0)" }
    if !failures.isEmpty { throw LogTestFailure(messages: failures) }
    return analysis
  }

  static func analyze(_ text: String, gap: Double = 30) throws -> LogAnalysis {
    try analyze([Array(text.utf8)], gap: gap)
  }

  /// Every record of `text`, copied, read with a buffer of `bufferSize` bytes.
  static func records(_ text: String, bufferSize: Int = 1 << 16) throws -> [LogRecord] {
    try records(Array(text.utf8), bufferSize: bufferSize)
  }

  static func records(_ bytes: [UInt8], bufferSize: Int = 1 << 16) throws -> [LogRecord] {
    let stream = LogRecordStream(input: 0, source: MemorySource(bytes), bufferSize: bufferSize)
    var records: [LogRecord] = []
    while try stream.advance() { records.append(stream.current.copy()) }
    return records
  }

  /// A committed fixture, found from this file's place in the repository.
  static func fixture(_ name: String) -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures").appendingPathComponent(name)
  }

  /// A time written the way the tests write expectations.
  static func time(_ text: String) -> LogTime? {
    LogTime.parseBound(text)
  }
}

struct LogTestFailure: Error {
  var messages: [String]
}

/// The values of a burst that the expectations name.
struct BurstSummary: Equatable, CustomStringConvertible {
  var errorClass: String
  var first: String
  var last: String
  var count: Int
  var workers: [Int]

  init(_ errorClass: String, _ first: String, _ last: String, count: Int, workers: [Int]) {
    self.errorClass = errorClass
    self.first = first
    self.last = last
    self.count = count
    self.workers = workers
  }

  init(_ burst: LogBurst) {
    errorClass = burst.errorClass.rawValue
    first = burst.first?.text ?? "unknown"
    last = burst.last?.text ?? "unknown"
    count = burst.count
    workers = burst.workerRange.map { [$0.lowerBound, $0.upperBound] } ?? []
  }

  var description: String { "\(errorClass) \(first)…\(last) ×\(count) \(workers)" }
}

extension LogAnalysis {
  var burstSummaries: [BurstSummary] { bursts.map(BurstSummary.init) }
}
