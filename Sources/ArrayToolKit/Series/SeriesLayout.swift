// The series that the values of a block's rows become, worked out once per distinct block layout:
// names, labels, scales and the label text that the writers repeat per line.
//
// A row is resource types × elements × metrics, and the layout keeps it in that factored form:
// one name per element and one per metric, never one key or prefix per value position. Per
// position, a block header of a few kilobytes (one long element name, thousands of metrics) made
// gigabytes of copies of that name; factored, a layout takes about the memory of its header.

/// One series: a (resource type, element, metric) triple of a block.
public struct SeriesKey: Hashable, Sendable {
  public var name: String
  public var element: String
  public var resource: String
  public var serial: String
  public var interval: Int64
}

/// What every value position of a row means.
public final class SeriesLayout: @unchecked Sendable {
  /// The value positions of one resource type of the block: elements × metrics, element-major.
  struct Group {
    /// The value position of the group's first series.
    var start: Int
    var resourceName: String
    var elements: [String]
    var metrics: [MetricInfo]
    /// Where the group's label parts start in `SeriesLabelText`: its metrics, then its
    /// elements, then the part shared by all its series.
    var firstPart: Int

    var count: Int { elements.count * metrics.count }
  }

  /// Unique for the life of the process, unlike the object's address, which an evicted and
  /// freed layout hands on to the next one.
  public let id: Int = SeriesLayout.nextID.increment()
  private static let nextID = AtomicCounter()
  public let serial: String
  public let interval: Int64
  public let resources: [DatResourceMap]
  /// Value positions in a row, one series each.
  public let count: Int
  let groups: [Group]
  /// `{"metric":{…},"values":[` of each series, in parts.
  let json: SeriesLabelText
  /// `name{labels} ` of each series, in parts.
  let prometheus: SeriesLabelText
  public let collisions: [SeriesCollision]
  /// Metric ids and resource type ids the catalogue does not know.
  public let unknownMetricIDs: Set<Int>
  public let unknownResourceIDs: Set<Int>

  public init(header: DatBlockHeader, serial: String, catalog: SeriesCatalog) {
    self.serial = serial
    interval = header.archive
    resources = header.resources
    var groups: [Group] = []
    var unknownMetrics = Set<Int>()
    var unknownResources = Set<Int>()
    var start = 0
    var parts = 0
    for resource in header.resources {
      if !catalog.isKnownResource(resource.typeID) { unknownResources.insert(resource.typeID) }
      for id in resource.metricIDs where !catalog.isKnownMetric(id) { unknownMetrics.insert(id) }
      // Elements without metrics have no value in a row; their names are not labels.
      guard resource.valueCount > 0 else { continue }
      let group = Group(
        start: start, resourceName: catalog.resourceName(resource.typeID),
        elements: resource.elementNames, metrics: resource.metricIDs.map { catalog.metric($0) },
        firstPart: parts)
      groups.append(group)
      start += group.count
      parts += group.metrics.count + group.elements.count + 1
    }
    count = start
    self.groups = groups
    unknownMetricIDs = unknownMetrics
    unknownResourceIDs = unknownResources
    json = SeriesLabelText(.jsonl, groups: groups, serial: serial, interval: interval)
    prometheus = SeriesLabelText(.prometheus, groups: groups, serial: serial, interval: interval)
    collisions = SeriesCollision.find(in: groups)
  }

  /// About the bytes the layout holds, for the cache's budget: the label text, and the header's
  /// names that the layout keeps alive.
  public var byteCount: Int {
    groups.reduce(json.byteCount + prometheus.byteCount) {
      $0 + ($1.elements.count + $1.metrics.count) * 48
    }
  }

  /// Whether this layout serves a block with `header` from an array with `serial`.
  public func fits(_ header: DatBlockHeader, serial: String) -> Bool {
    self.serial == serial && interval == header.archive && resources == header.resources
  }

  /// The group, element and metric of value position `position` (`0..<count`).
  @inline(__always)
  func locate(_ position: Int) -> (group: Int, element: Int, metric: Int) {
    // Binary search: a crafted header may have thousands of resource types.
    var low = 0
    var high = groups.count - 1
    while low < high {
      let middle = (low + high + 1) / 2
      if groups[middle].start <= position { low = middle } else { high = middle - 1 }
    }
    let offset = position - groups[low].start
    let metrics = groups[low].metrics.count
    return (low, offset / metrics, offset % metrics)
  }

  /// The label parts (metric, element, shared) and the scale of value position `position`.
  @inline(__always)
  func series(_ position: Int) -> (parts: SeriesLabelText.Parts, scale: ValueScale) {
    let (group, element, metric) = locate(position)
    let first = groups[group].firstPart
    let metrics = groups[group].metrics.count
    let parts = SeriesLabelText.Parts(
      metric: first + metric, element: first + metrics + element,
      shared: first + metrics + groups[group].elements.count)
    return (parts, groups[group].metrics[metric].scale)
  }

  public func key(at position: Int) -> SeriesKey {
    let (group, element, metric) = locate(position)
    return SeriesKey(
      name: groups[group].metrics[metric].seriesName, element: groups[group].elements[element],
      resource: groups[group].resourceName, serial: serial, interval: interval)
  }

  public func scale(at position: Int) -> ValueScale { series(position).scale }

  public func metricID(at position: Int) -> Int {
    let (group, _, metric) = locate(position)
    return groups[group].metrics[metric].id
  }
}
