// The series that the values of a block's rows become, worked out once per distinct block layout:
// names, labels, scales and the pre-rendered line prefixes that the writers repeat per line.

/// One series: a (resource type, element, metric) triple of a block.
public struct SeriesKey: Hashable, Sendable {
  public var name: String
  public var element: String
  public var resource: String
  public var serial: String
  public var interval: Int64
}

/// Two metric ids of one element that map to the same series name.
public struct SeriesCollision: Equatable, Sendable, Hashable {
  public var seriesName: String
  public var resource: String
  public var element: String
  /// The metric ids that would be stored as one series, in row order.
  public var metricIDs: [Int]

  public var message: String {
    "metrics \(metricIDs.map(String.init).joined(separator: " and ")) of \(resource) "
      + "'\(element)' both map to \(seriesName); their samples would be stored as one series"
  }
}

/// What every value position of a row means.
public final class SeriesLayout: @unchecked Sendable {
  /// Unique for the life of the process, unlike the object's address, which an evicted and
  /// freed layout hands on to the next one.
  public let id: Int = SeriesLayout.nextID.increment()
  private static let nextID = AtomicCounter()
  public let serial: String
  public let interval: Int64
  public let resources: [DatResourceMap]
  /// One key per value position of a row.
  public let keys: [SeriesKey]
  public let scales: [ValueScale]
  public let metricIDs: [Int]
  /// `{"metric":{…},"values":[` per value position, as UTF-8.
  public let jsonPrefixes: [[UInt8]]
  /// `name{labels} ` per value position, as UTF-8.
  public let prometheusPrefixes: [[UInt8]]
  public let collisions: [SeriesCollision]
  /// Metric ids and resource type ids the catalogue does not know.
  public let unknownMetricIDs: Set<Int>
  public let unknownResourceIDs: Set<Int>

  public init(header: DatBlockHeader, serial: String, catalog: SeriesCatalog) {
    self.serial = serial
    interval = header.archive
    resources = header.resources
    var keys: [SeriesKey] = []
    var scales: [ValueScale] = []
    var metricIDs: [Int] = []
    var unknownMetrics = Set<Int>()
    var unknownResources = Set<Int>()
    for resource in header.resources {
      let resourceName = catalog.resourceName(resource.typeID)
      if !catalog.isKnownResource(resource.typeID) { unknownResources.insert(resource.typeID) }
      let metrics = resource.metricIDs.map { catalog.metric($0) }
      for id in resource.metricIDs where !catalog.isKnownMetric(id) { unknownMetrics.insert(id) }
      for element in resource.elementNames {
        for metric in metrics {
          keys.append(
            SeriesKey(
              name: metric.seriesName, element: element, resource: resourceName, serial: serial,
              interval: header.archive))
          scales.append(metric.scale)
          metricIDs.append(metric.id)
        }
      }
    }
    self.keys = keys
    self.scales = scales
    self.metricIDs = metricIDs
    unknownMetricIDs = unknownMetrics
    unknownResourceIDs = unknownResources
    jsonPrefixes = keys.map(SeriesLayout.jsonPrefix)
    prometheusPrefixes = keys.map(SeriesLayout.prometheusPrefix)
    collisions = SeriesLayout.findCollisions(keys: keys, metricIDs: metricIDs)
  }

  /// Whether this layout serves a block with `header` from an array with `serial`.
  public func fits(_ header: DatBlockHeader, serial: String) -> Bool {
    self.serial == serial && interval == header.archive && resources == header.resources
  }

  private static func findCollisions(keys: [SeriesKey], metricIDs: [Int]) -> [SeriesCollision] {
    var firstPosition: [SeriesKey: Int] = [:]
    var grouped: [SeriesKey: [Int]] = [:]
    var order: [SeriesKey] = []
    for (position, key) in keys.enumerated() {
      if let first = firstPosition[key] {
        if grouped[key] == nil {
          grouped[key] = [metricIDs[first]]
          order.append(key)
        }
        grouped[key]!.append(metricIDs[position])
      } else {
        firstPosition[key] = position
      }
    }
    return order.map { key in
      SeriesCollision(
        seriesName: key.name, resource: key.resource, element: key.element,
        metricIDs: grouped[key]!)
    }
  }

  static func jsonPrefix(_ key: SeriesKey) -> [UInt8] {
    var text: [UInt8] = []
    text.reserveCapacity(160)
    text.append(contentsOf: "{\"metric\":{\"__name__\":".utf8)
    JSONText.appendString(key.name, to: &text)
    text.append(contentsOf: ",\"Element\":".utf8)
    JSONText.appendString(key.element, to: &text)
    text.append(contentsOf: ",\"Resource\":".utf8)
    JSONText.appendString(key.resource, to: &text)
    text.append(contentsOf: ",\"SN\":".utf8)
    JSONText.appendString(key.serial, to: &text)
    text.append(contentsOf: ",\"scrape_interval\":\"".utf8)
    JSONText.appendInteger(key.interval, to: &text)
    text.append(contentsOf: "\"},\"values\":[".utf8)
    return text
  }

  /// Built byte by byte: a layout has thousands of series, and string interpolation per label
  /// made this the slowest part of reading a file's first block.
  static func prometheusPrefix(_ key: SeriesKey) -> [UInt8] {
    var text: [UInt8] = []
    text.reserveCapacity(160)
    text.append(contentsOf: key.name.utf8)
    appendLabel("{Element", key.element, to: &text)
    appendLabel(",Resource", key.resource, to: &text)
    appendLabel(",SN", key.serial, to: &text)
    text.append(contentsOf: ",scrape_interval=\"".utf8)
    JSONText.appendInteger(key.interval, to: &text)
    text.append(contentsOf: "\"} ".utf8)
    return text
  }

  /// Appends `name="value"` with the escapes of the exposition format.
  private static func appendLabel(_ name: StaticString, _ value: String, to text: inout [UInt8]) {
    text.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    text.append(contentsOf: "=\"".utf8)
    for byte in value.utf8 {
      switch byte {
      case UInt8(ascii: "\\"): text.append(contentsOf: "\\\\".utf8)
      case UInt8(ascii: "\""): text.append(contentsOf: "\\\"".utf8)
      case 0x0A: text.append(contentsOf: "\\n".utf8)
      default: text.append(byte)
      }
    }
    text.append(UInt8(ascii: "\""))
  }
}
