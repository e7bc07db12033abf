// The errors-per-minute timeline shown on a terminal: one bar per minute that had errors, with
// quiet stretches marked, so that the shape of a night (a storm at 01:22, one error at 02:24) is
// seen before the details. Long logs are drawn in coarser steps to stay on one screen.

/// Renders errors per minute as bars.
enum ErrorTimeline {
  /// The most rows drawn; coarser steps are used beyond it.
  static let maximumRows = 30
  static let barWidth = 40

  /// The timeline, one line per step, or `""` without errors.
  static func render(_ perMinute: [Int64: Int]) -> String {
    guard !perMinute.isEmpty else { return "" }
    let steps: [Int64] = [1, 5, 10, 15, 30, 60, 180, 360, 720, 1440, 10_080]
    var step: Int64 = steps.last ?? 1
    var buckets: [Int64: Int] = [:]
    for candidate in steps {
      buckets = Dictionary(grouping: perMinute, by: { floorDivide($0.key, candidate) })
        .mapValues { $0.reduce(0) { $0 + $1.value } }
      step = candidate
      if buckets.count <= maximumRows { break }
    }
    let largest = buckets.values.max() ?? 1
    let label = step == 1 ? "Errors per minute" : "Errors per \(step) minutes"
    var text = "\(label):\n"
    var previous: Int64?
    for bucket in buckets.keys.sorted() {
      if let previous, bucket > previous + 1 { text += "  …\n" }
      previous = bucket
      let count = buckets[bucket] ?? 0
      let time = LogTime(milliseconds: bucket * step * 60_000).text.prefix(16)
      let length = max(1, count * barWidth / largest)
      text += "  \(time)  \(String(repeating: "█", count: length)) \(count)\n"
    }
    return text
  }

  private static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
    value >= 0 ? value / divisor : (value - divisor + 1) / divisor
  }
}
