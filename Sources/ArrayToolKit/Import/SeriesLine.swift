// A line of VictoriaMetrics' JSON line format, as /api/v1/export writes it and /api/v1/import
// takes it: `{"metric":{…},"values":[…],"timestamps":[…]}`. The checks after an import want the
// series and its timestamps only, so the labels are decoded, the timestamps read as integers
// where they lie, and the values skipped. Decoding whole lines made every sample two Foundation
// numbers, which for an export of ten million samples took ten seconds. What is left to send of
// a batch stored in part is cut from its own lines, sample by sample, with the labels as written.
// A replay counts the samples of a spooled batch's lines, each value a number, before sending it.

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
    let read = Self.fields(text) { key, value in
      if key.elementsEqual("metric".utf8) {
        guard metric == nil, let labels = Self.labels(value) else { return false }
        metric = labels
      } else if key.elementsEqual("timestamps".utf8) {
        guard timestamps == nil, let stamps = Self.integers(value) else { return false }
        timestamps = stamps
      }
      return true
    }
    guard read, let metric, let timestamps else { return nil }
    self.metric = metric
    self.timestamps = timestamps
  }

  /// The line with only the samples whose timestamps `keep` accepts, labels as written; nil
  /// when the line is not one `init` reads or its values do not pair with its timestamps, and
  /// empty when no sample is kept.
  static func keeping(_ line: UnsafeRawBufferPointer, _ keep: (Int64) -> Bool) -> [UInt8]? {
    guard let (metric, values, timestamps) = samples(line) else { return nil }
    let kept = timestamps.indices.filter { keep(timestamps[$0]) }
    guard !kept.isEmpty else { return [] }
    var out = Array(#"{"metric":"#.utf8)
    out.append(contentsOf: metric)
    out.append(contentsOf: #","values":["#.utf8)
    for (number, index) in kept.enumerated() {
      if number > 0 { out.append(0x2C) }
      out.append(contentsOf: values[index])
    }
    out.append(contentsOf: #"],"timestamps":["#.utf8)
    for (number, index) in kept.enumerated() {
      if number > 0 { out.append(0x2C) }
      out.append(contentsOf: String(timestamps[index]).utf8)
    }
    out.append(contentsOf: "]}".utf8)
    return out
  }

  /// How many samples `line` holds; nil when it is not one `init` reads, a value is not a JSON
  /// number or the values do not pair with the timestamps: VictoriaMetrics skips such a line
  /// and answers 204 all the same.
  static func sampleCount(_ line: UnsafeRawBufferPointer) -> Int? {
    guard let values = samples(line)?.values, values.allSatisfy(isNumber) else { return nil }
    return values.count
  }

  /// Whether `text` is one JSON number: `-`, digits without a leading zero, then optionally a
  /// fraction and an exponent.
  private static func isNumber(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
    var index = text.first == 0x2D ? 1 : 0
    func digits() -> Int {
      let start = index
      while index < text.count, text[index] &- 0x30 < 10 { index += 1 }
      return index - start
    }
    let whole = digits()
    guard whole == 1 || (whole > 1 && text[index - whole] != 0x30) else { return false }
    if index < text.count, text[index] == 0x2E {
      index += 1
      guard digits() > 0 else { return false }
    }
    if index < text.count, text[index] | 0x20 == 0x65 {
      index += 1
      if index < text.count, text[index] == 0x2B || text[index] == 0x2D { index += 1 }
      guard digits() > 0 else { return false }
    }
    return index == text.count
  }

  /// The labels object as written, each value as written and the timestamps of `line`; nil when
  /// it is not one `init` reads or its values do not pair with its timestamps.
  private static func samples(_ line: UnsafeRawBufferPointer)
    -> (metric: UnsafeBufferPointer<UInt8>, values: [UnsafeBufferPointer<UInt8>], timestamps: [Int64])?
  {
    let text = line.bindMemory(to: UInt8.self)
    var metric: UnsafeBufferPointer<UInt8>?
    var values: [UnsafeBufferPointer<UInt8>]?
    var timestamps: [Int64]?
    let read = fields(text) { key, value in
      if key.elementsEqual("metric".utf8) {
        guard metric == nil, labels(value) != nil else { return false }
        metric = value
      } else if key.elementsEqual("values".utf8) {
        guard values == nil, let elements = elements(value) else { return false }
        values = elements
      } else if key.elementsEqual("timestamps".utf8) {
        guard timestamps == nil, let stamps = integers(value) else { return false }
        timestamps = stamps
      }
      return true
    }
    guard read, let metric, let values, let timestamps, values.count == timestamps.count else {
      return nil
    }
    return (metric, values, timestamps)
  }

  /// Walks the keys of the one object that is `text`, handing `each` every key (between its
  /// quotes) and value; false when `each` does or when `text` is not one object.
  private static func fields(
    _ text: UnsafeBufferPointer<UInt8>,
    _ each: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>) -> Bool
  ) -> Bool {
    var index = JSONGrammar.skipSpace(text, 0)
    guard index < text.count, text[index] == 0x7B else { return false }
    index = JSONGrammar.skipSpace(text, index + 1)
    if index < text.count, text[index] == 0x7D {
      return JSONGrammar.skipSpace(text, index + 1) == text.count
    }
    while true {
      guard index < text.count, text[index] == 0x22,
        let keyEnd = JSONGrammar.stringEnd(text, index)
      else { return false }
      let key = UnsafeBufferPointer(rebasing: text[(index + 1)..<(keyEnd - 1)])
      index = JSONGrammar.skipSpace(text, keyEnd)
      guard index < text.count, text[index] == 0x3A else { return false }
      let valueStart = JSONGrammar.skipSpace(text, index + 1)
      guard let valueEnd = JSONGrammar.valueEnd(text, valueStart),
        each(key, UnsafeBufferPointer(rebasing: text[valueStart..<valueEnd]))
      else { return false }
      index = JSONGrammar.skipSpace(text, valueEnd)
      guard index < text.count else { return false }
      if text[index] == 0x7D { break }
      guard text[index] == 0x2C else { return false }
      index = JSONGrammar.skipSpace(text, index + 1)
    }
    return JSONGrammar.skipSpace(text, index + 1) == text.count
  }

  /// The labels of a `metric` object; nil unless every value is a string.
  private static func labels(_ object: UnsafeBufferPointer<UInt8>) -> [String: String]? {
    guard object.first == 0x7B else { return nil }
    return (try? JSONSerialization.jsonObject(with: Data(buffer: object))) as? [String: String]
  }

  /// The elements of an array, each as written; nil when it is not one.
  private static func elements(_ array: UnsafeBufferPointer<UInt8>) -> [UnsafeBufferPointer<UInt8>]?
  {
    var elements: [UnsafeBufferPointer<UInt8>] = []
    guard forEachElement(array, { elements.append($0); return true }) else { return nil }
    return elements
  }

  /// Hands `each` every element of an array as written, without gathering them; false when it
  /// is not one or `each` says so.
  @inline(__always)
  private static func forEachElement(
    _ array: UnsafeBufferPointer<UInt8>, _ each: (UnsafeBufferPointer<UInt8>) -> Bool
  ) -> Bool {
    guard array.first == 0x5B else { return false }
    var index = JSONGrammar.skipSpace(array, 1)
    if index < array.count, array[index] == 0x5D { return index + 1 == array.count }
    while index < array.count {
      guard let end = JSONGrammar.valueEnd(array, index),
        each(UnsafeBufferPointer(rebasing: array[index..<end]))
      else { return false }
      index = JSONGrammar.skipSpace(array, end)
      guard index < array.count else { return false }
      if array[index] == 0x5D { return index + 1 == array.count }
      guard array[index] == 0x2C else { return false }
      index = JSONGrammar.skipSpace(array, index + 1)
    }
    return false
  }

  /// The integers of an array such as `[1758758400000,1758758460000]`; nil when anything else is
  /// in it or one does not fit 64 bits.
  private static func integers(_ array: UnsafeBufferPointer<UInt8>) -> [Int64]? {
    var values: [Int64] = []
    values.reserveCapacity(array.count / 14)
    let read = forEachElement(array) { element in
      guard let value = integer(element) else { return false }
      values.append(value)
      return true
    }
    return read ? values : nil
  }

  /// A decimal integer, optionally negative, that fits 64 bits.
  private static func integer(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
    var index = 0
    let negative = text.first == 0x2D
    if negative { index = 1 }
    guard index < text.count else { return nil }
    var magnitude: UInt64 = 0
    while index < text.count {
      let digit = text[index] &- 0x30
      guard digit < 10 else { return nil }
      let (times, overflowTimes) = magnitude.multipliedReportingOverflow(by: 10)
      let (sum, overflowSum) = times.addingReportingOverflow(UInt64(digit))
      guard !overflowTimes, !overflowSum else { return nil }
      magnitude = sum
      index += 1
    }
    if negative {
      guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
      return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
    }
    guard magnitude <= UInt64(Int64.max) else { return nil }
    return Int64(magnitude)
  }
}
