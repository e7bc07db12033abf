// Metric ids of one element that map to the same series name, found from a layout's factored
// groups: an element's series are its metric names, so collisions are found per element without
// a key per value position.

/// Two metric ids of one element that map to the same series name.
public struct SeriesCollision: Equatable, Sendable, Hashable {
  public var seriesName: String
  public var resource: String
  public var element: String
  /// The metric ids that would be stored as one series, in row order.
  public var metricIDs: [Int]
  /// How many elements of the resource type bear this name: more than one when the header
  /// names two elements alike, whose samples then meet in every series of that name.
  public var elementCount = 1

  /// Element names longer than this are cut in the message: a name is input, and a message is
  /// one line for a person.
  static let shownElementBytes = 120

  public var message: String {
    guard elementCount > 1 else {
      let ids = Self.listed(metricIDs)
      return "metrics \(ids) of \(resource) '\(Self.shortened(element))' "
        + (metricIDs.count > 2 ? "all" : "both") + " map to \(seriesName); their samples would be "
        + "stored as one series"
    }
    // "metrics 22 and 22" would hide that the name, not the metric, is what repeats.
    var distinct: [Int] = []
    for id in metricIDs where !distinct.contains(id) { distinct.append(id) }
    let metrics = distinct.count == 1
      ? "metric \(distinct[0]) of each maps" : "metrics \(Self.listed(distinct)) of them all map"
    return "\(elementCount) elements of \(resource) are named '\(Self.shortened(element))', and "
      + "\(metrics) to \(seriesName); their samples would be stored as one series"
  }

  /// "1 and 2", or "1, 2 and 3".
  private static func listed(_ ids: [Int]) -> String {
    let texts = ids.map(String.init)
    guard texts.count > 2 else { return texts.joined(separator: " and ") }
    return texts.dropLast().joined(separator: ", ") + " and " + texts.last!
  }

  /// `text` cut to about `shownElementBytes` bytes on a character boundary, its length told.
  static func shortened(_ text: String) -> String {
    let bytes = text.utf8.count
    guard bytes > shownElementBytes else { return text }
    var kept = ""
    for character in text {
      guard kept.utf8.count + character.utf8.count <= shownElementBytes else { break }
      kept.append(character)
    }
    return "\(kept)… (\(bytes) bytes)"
  }

  /// The collisions of `groups`, ordered by the value position where each is first seen.
  static func find(in groups: [SeriesLayout.Group]) -> [SeriesCollision] {
    // Elements that occur once collide exactly where their group's metric list repeats a name,
    // which is worked out once per group.
    let repeats = groups.map { group in
      repeatedNames(group.metrics.enumerated().map { (position: $0.offset, metric: $0.element) })
    }
    var found: [(position: Int, collision: SeriesCollision)] = []
    let shared = sharedNames(groups)
    var done: Set<Place> = []
    for (groupIndex, group) in groups.enumerated() {
      for (elementIndex, element) in group.elements.enumerated() {
        let place = Place(resource: group.resourceName, element: element)
        let repeated: [(position: Int, name: String, ids: [Int])]
        var elementCount = 1
        if let slots = shared[place] {
          // Two elements of one name (in one resource type, or in two of one name) are one
          // element to the database: their metrics are looked at together.
          guard done.insert(place).inserted else { continue }
          elementCount = slots.count
          repeated = repeatedNames(slots.flatMap { slot in
            let group = groups[slot.group]
            let base = group.start + slot.element * group.metrics.count
            return group.metrics.enumerated().map { (base + $0.offset, $0.element) }
          })
        } else {
          let base = group.start + elementIndex * group.metrics.count
          repeated = repeats[groupIndex].map { ($0.position + base, $0.name, $0.ids) }
        }
        for item in repeated {
          let collision = SeriesCollision(
            seriesName: item.name, resource: place.resource, element: place.element,
            metricIDs: item.ids, elementCount: elementCount)
          found.append((item.position, collision))
        }
      }
    }
    return found.sorted { $0.position < $1.position }.map(\.collision)
  }

  private struct Place: Hashable {
    var resource: String
    var element: String
  }

  /// The places of the (resource name, element name) pairs that occur more than once.
  private static func sharedNames(_ groups: [SeriesLayout.Group])
    -> [Place: [(group: Int, element: Int)]]
  {
    // A first pass by hash alone keeps 16 bytes per element, not its names, when a header
    // names a million elements; only pairs whose hashes meet are compared.
    var firstByHash: [Int: (group: Int, element: Int)] = [:]
    var candidates: [Int] = []
    func place(_ slot: (group: Int, element: Int)) -> Place {
      Place(resource: groups[slot.group].resourceName,
            element: groups[slot.group].elements[slot.element])
    }
    for (groupIndex, group) in groups.enumerated() {
      for elementIndex in group.elements.indices {
        let slot = (group: groupIndex, element: elementIndex)
        let hash = place(slot).hashValue
        if let first = firstByHash[hash] {
          candidates += [first.group << 32 | first.element, groupIndex << 32 | elementIndex]
        } else {
          firstByHash[hash] = slot
        }
      }
    }
    var slots: [Place: [(group: Int, element: Int)]] = [:]
    // Row order: a first slot may have been added after a later one it met.
    for code in Set(candidates).sorted() {
      let slot = (group: code >> 32, element: code & 0xFFFF_FFFF)
      slots[place(slot), default: []].append(slot)
    }
    return slots.filter { $0.value.count > 1 }
  }

  /// Series names that occur more than once among `metrics`, each with its ids in row order
  /// and the position of its second occurrence.
  private static func repeatedNames(_ metrics: [(position: Int, metric: MetricInfo)])
    -> [(position: Int, name: String, ids: [Int])]
  {
    var ids: [String: [Int]] = [:]
    var second: [(position: Int, name: String)] = []
    for (position, metric) in metrics {
      ids[metric.seriesName, default: []].append(metric.id)
      if ids[metric.seriesName]!.count == 2 { second.append((position, metric.seriesName)) }
    }
    return second.map { ($0.position, $0.name, ids[$0.name]!) }
  }
}
