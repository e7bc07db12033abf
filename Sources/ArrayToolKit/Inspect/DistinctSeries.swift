// Counts the distinct series of many layouts without a key per series. A series is an element
// (of a resource type, array and interval) and a metric name; all elements of a resource type
// share one list of metric names, so what is kept per element is the number of a shared set of
// names. A key per series made inspect of a few files of large layouts take gigabytes.

/// The number of distinct series over the layouts added.
struct DistinctSeries {
  private struct Context: Hashable {
    var resource: String
    var serial: String
    var interval: Int64
  }

  private struct Element: Hashable {
    var name: String
    var context: Int32
  }

  private struct Pair: Hashable {
    var first: Int32
    var second: Int32
  }

  private(set) var count = 0
  private var contexts: [Context: Int32] = [:]
  private var names: [String: Int32] = [:]
  /// Sets of name numbers, sorted; an element refers to one by its index.
  private var sets: [[Int32]] = []
  private var setNumbers: [[Int32]: Int32] = [:]
  private var unions: [Pair: Int32] = [:]
  private var elements: [Element: Int32] = [:]

  mutating func add(_ layout: SeriesLayout) {
    for group in layout.groups {
      let context = number(
        Context(resource: group.resourceName, serial: layout.serial, interval: layout.interval),
        in: &contexts)
      let set = number(
        Set(group.metrics.map { number($0.seriesName, in: &names) }).sorted())
      for name in group.elements {
        let element = Element(name: name, context: context)
        guard let old = elements[element] else {
          elements[element] = set
          count += sets[Int(set)].count
          continue
        }
        guard old != set else { continue }
        let merged = union(old, set)
        count += sets[Int(merged)].count - sets[Int(old)].count
        elements[element] = merged
      }
    }
  }

  private func number<Key: Hashable>(_ key: Key, in table: inout [Key: Int32]) -> Int32 {
    if let known = table[key] { return known }
    let new = Int32(table.count)
    table[key] = new
    return new
  }

  private mutating func number(_ set: [Int32]) -> Int32 {
    if let known = setNumbers[set] { return known }
    sets.append(set)
    let new = Int32(sets.count - 1)
    setNumbers[set] = new
    return new
  }

  private mutating func union(_ first: Int32, _ second: Int32) -> Int32 {
    let pair = Pair(first: first, second: second)
    if let known = unions[pair] { return known }
    let merged = number(Set(sets[Int(first)]).union(sets[Int(second)]).sorted())
    unions[pair] = merged
    return merged
  }
}
