// The JSON header of one .dat block, validated: times, sampling interval and the map of resource
// types, elements and metrics that fixes the layout of every data row of the block.

/// One resource type of a block's `Map`: its elements and the metrics sampled for each.
public struct DatResourceMap: Equatable, Sendable {
  /// The resource type id (207 is a controller, 11 a LUN, …).
  public var typeID: Int
  public var elementIDs: [String]
  /// Element names as the array shows them; any Unicode.
  public var elementNames: [String]
  /// Metric ids, in the order their values appear for each element.
  public var metricIDs: [Int]

  public init(typeID: Int, elementIDs: [String], elementNames: [String], metricIDs: [Int]) {
    self.typeID = typeID
    self.elementIDs = elementIDs
    self.elementNames = elementNames
    self.metricIDs = metricIDs
  }

  /// Values per row contributed by this resource type.
  public var valueCount: Int { elementIDs.count * metricIDs.count }
}

/// The validated header of a .dat block.
public struct DatBlockHeader: Equatable, Sendable {
  /// Unix seconds of the first row.
  public var startTime: Int64
  public var endTime: Int64
  /// Seconds between rows.
  public var archive: Int64
  public var controllerID: String?
  /// Resource types in the order of `Map`, which is the order of values in a row.
  public var resources: [DatResourceMap]

  /// The Unix seconds a block's times may take: 1970 to about year 5000.
  public static let plausibleTimes: ClosedRange<Int64> = 0...95_617_584_000

  /// The longest element name accepted, in UTF-8 bytes: far beyond the names of real objects
  /// (the bundled sample's longest is 15 bytes), and bounded because each name is repeated in
  /// the labels of every sample of its element.
  public static let maxNameBytes = 4096

  /// `(EndTime − StartTime) / Archive`, the rows that follow the header.
  public var rowCount: Int64 { (endTime - startTime) / archive }

  /// Values (signed 32-bit) in one row.
  public var valuesPerRow: Int { resources.reduce(0) { $0 + $1.valueCount } }

  /// Why a header was refused.
  public struct Invalid: Error, Equatable {
    public var reason: String
  }

  /// Validates a parsed header object.
  /// - Throws: `Invalid` naming the field that is missing or wrong.
  public init(json: HeaderJSON) throws {
    guard case .object = json else { throw Invalid(reason: "the header is not a JSON object") }
    startTime = try Self.integerField(json, "StartTime")
    endTime = try Self.integerField(json, "EndTime")
    archive = try Self.integerField(json, "Archive")
    guard archive > 0 else { throw Invalid(reason: "Archive is \(archive), must be positive") }
    // Times past year 5000 or before 1970 are not real; bounding them keeps every timestamp in
    // milliseconds, and every row count, far inside 64 bits.
    for (name, value) in [("StartTime", startTime), ("EndTime", endTime)]
    where !Self.plausibleTimes.contains(value) {
      throw Invalid(reason: "\(name) \(value) is out of range (0 to \(Self.plausibleTimes.upperBound))")
    }
    guard archive <= 86_400 * 366 else {
      throw Invalid(reason: "Archive is \(archive) seconds, more than a year")
    }
    guard endTime >= startTime else {
      throw Invalid(reason: "EndTime \(endTime) is before StartTime \(startTime)")
    }
    switch json["CtrlID"] {
    case .string(let text)?: controllerID = text
    case .number(let text)?: controllerID = text
    default: controllerID = nil
    }
    guard case .object(let map)? = json["Map"] else {
      throw Invalid(reason: "the header has no Map object")
    }
    resources = try map.map { try Self.resource(key: $0.key, value: $0.value) }
  }

  private static func integerField(_ json: HeaderJSON, _ name: String) throws -> Int64 {
    switch json[name] {
    case .string(let text)?, .number(let text)?:
      guard let value = Int64(text) else {
        throw Invalid(reason: "\(name) '\(text)' is not a whole number")
      }
      return value
    case nil:
      throw Invalid(reason: "the header has no \(name)")
    default:
      throw Invalid(reason: "\(name) is not a number")
    }
  }

  private static func resource(key: String, value: HeaderJSON) throws -> DatResourceMap {
    guard let typeID = Int(key), typeID >= 0 else {
      throw Invalid(reason: "Map key '\(key)' is not a resource type id")
    }
    guard case .object = value else { throw Invalid(reason: "Map[\(key)] is not an object") }
    let ids = try textArray(value, "IDs", key: key)
    let names = try textArray(value, "Names", key: key)
    if let index = names.firstIndex(where: { $0.utf8.count > maxNameBytes }) {
      throw Invalid(
        reason: "Map[\(key)].Names[\(index)] is \(names[index].utf8.count) bytes long, more "
          + "than the \(maxNameBytes) bytes arraytool accepts")
    }
    guard ids.count == names.count else {
      throw Invalid(
        reason: "Map[\(key)] has \(ids.count) IDs but \(names.count) Names")
    }
    let metrics = try textArray(value, "DataTypes", key: key).map { text -> Int in
      guard let id = Int(text), id >= 0 else {
        throw Invalid(reason: "Map[\(key)].DataTypes holds '\(text)', not a metric id")
      }
      return id
    }
    return DatResourceMap(typeID: typeID, elementIDs: ids, elementNames: names, metricIDs: metrics)
  }

  private static func textArray(_ object: HeaderJSON, _ name: String, key: String) throws
    -> [String]
  {
    guard case .array(let items)? = object[name] else {
      throw Invalid(reason: "Map[\(key)] has no \(name) array")
    }
    return try items.map { item in
      switch item {
      case .string(let text), .number(let text): return text
      default: throw Invalid(reason: "Map[\(key)].\(name) holds a value that is not text")
      }
    }
  }
}
