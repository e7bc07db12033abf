// A line of VictoriaMetrics' JSON line format, as /api/v1/export writes it and /api/v1/import
// takes it: `{"metric":{…},"values":[…],"timestamps":[…]}`. The checks after an import want the
// series and its timestamps only, so the labels are decoded, the timestamps read as integers
// where they lie, and the values skipped. Decoding whole lines made every sample two Foundation
// numbers, which for an export of ten million samples took ten seconds.

import Foundation

/// The series and timestamps of one JSON line.
struct SeriesLine: Equatable {
  /// The labels, `__name__` among them.
  var metric: [String: String]
  var timestamps: [Int64]

  init(metric: [String: String], timestamps: [Int64]) {
    self.metric = metric
    self.timestamps = timestamps
  }

  /// Reads `line`; nil unless it is one object with a `metric` object of string labels and a
  /// `timestamps` array of integers, in any order, beside other keys.
  init?(_ line: UnsafeRawBufferPointer) {
    let text = line.bindMemory(to: UInt8.self)
    var metric: [String: String]?
    var timestamps: [Int64]?
    var index = JSONGrammar.skipSpace(text, 0)
    guard index < text.count, text[index] == 0x7B else { return nil }
    index = JSONGrammar.skipSpace(text, index + 1)
    if index < text.count, text[index] == 0x7D { return nil }
    while true {
      guard index < text.count, text[index] == 0x22,
        let keyEnd = JSONGrammar.stringEnd(text, index)
      else { return nil }
      let key = UnsafeBufferPointer(rebasing: text[(index + 1)..<(keyEnd - 1)])
      index = JSONGrammar.skipSpace(text, keyEnd)
      guard index < text.count, text[index] == 0x3A else { return nil }
      let valueStart = JSONGrammar.skipSpace(text, index + 1)
      guard let valueEnd = JSONGrammar.valueEnd(text, valueStart) else { return nil }
      let value = UnsafeBufferPointer(rebasing: text[valueStart..<valueEnd])
      if key.elementsEqual("metric".utf8) {
        guard metric == nil, let labels = Self.labels(value) else { return nil }
        metric = labels
      } else if key.elementsEqual("timestamps".utf8) {
        guard timestamps == nil, let stamps = Self.integers(value) else { return nil }
        timestamps = stamps
      }
      index = JSONGrammar.skipSpace(text, valueEnd)
      guard index < text.count else { return nil }
      if text[index] == 0x7D { break }
      guard text[index] == 0x2C else { return nil }
      index = JSONGrammar.skipSpace(text, index + 1)
    }
    guard JSONGrammar.skipSpace(text, index + 1) == text.count, let metric, let timestamps
    else { return nil }
    self.metric = metric
    self.timestamps = timestamps
  }

  /// The labels of a `metric` object; nil unless every value is a string.
  private static func labels(_ object: UnsafeBufferPointer<UInt8>) -> [String: String]? {
    guard object.first == 0x7B else { return nil }
    return (try? JSONSerialization.jsonObject(with: Data(buffer: object))) as? [String: String]
  }

  /// The integers of an array such as `[1758758400000,1758758460000]`; nil when anything else is
  /// in it or one does not fit 64 bits.
  private static func integers(_ array: UnsafeBufferPointer<UInt8>) -> [Int64]? {
    guard array.first == 0x5B else { return nil }
    var values: [Int64] = []
    values.reserveCapacity(array.count / 14)
    var index = JSONGrammar.skipSpace(array, 1)
    if index < array.count, array[index] == 0x5D { return values }
    while index < array.count {
      let negative = array[index] == 0x2D
      if negative { index += 1 }
      let digitsStart = index
      var magnitude: UInt64 = 0
      while index < array.count, case let digit = array[index] &- 0x30, digit < 10 {
        let (times, overflowTimes) = magnitude.multipliedReportingOverflow(by: 10)
        let (sum, overflowSum) = times.addingReportingOverflow(UInt64(digit))
        guard !overflowTimes, !overflowSum else { return nil }
        magnitude = sum
        index += 1
      }
      guard index > digitsStart else { return nil }
      if negative {
        guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
        values.append(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
      } else {
        guard magnitude <= UInt64(Int64.max) else { return nil }
        values.append(Int64(magnitude))
      }
      index = JSONGrammar.skipSpace(array, index)
      guard index < array.count else { return nil }
      if array[index] == 0x5D { return index + 1 == array.count ? values : nil }
      guard array[index] == 0x2C else { return nil }
      index = JSONGrammar.skipSpace(array, index + 1)
    }
    return nil
  }
}
