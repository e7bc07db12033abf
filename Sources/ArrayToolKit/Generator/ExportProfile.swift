// The shape of a generated export: which resource types, how many elements of each, which
// metrics, and the value range of every metric, modelled on a real Dorado 5000 V6's export.

/// One resource type of a generated export.
public struct GeneratedResource: Sendable {
  public var typeID: Int
  /// Element names are `namePrefix` followed by a number.
  public var namePrefix: String
  public var count: Int
  public var metricIDs: [Int]
}

/// What a generated export holds.
public struct ExportProfile: Sendable {
  public var serial = "2102350TST10KA000042"
  public var model = "OceanStorDorado5000V6"
  public var files = 8
  /// Blocks per file and rows per block; rows are `interval` seconds apart.
  public var blocksPerFile = 2
  public var rowsPerBlock = 15
  public var interval: Int64 = 60
  /// Unix seconds of the first row of the first file (2025-09-25 00:00:00 UTC).
  public var start: Int64 = 1_758_758_400
  public var seed: UInt64 = 1
  public var resources: [GeneratedResource]

  /// The layout of the real array this is modelled on, with `scale` times its LUNs, hosts and
  /// disks.
  public init(scale: Int = 1) {
    let scale = max(1, scale)
    let common = [5, 19, 21, 22, 23, 24, 25, 26, 27, 28]
    resources = [
      GeneratedResource(
        typeID: 207, namePrefix: "CTE0.", count: 1,
        metricIDs: common + [93, 95, 333, 370, 384, 385, 68, 1299, 1075]),
      GeneratedResource(typeID: 10, namePrefix: "CTE0.", count: 8 * scale, metricIDs: common + [18]),
      GeneratedResource(typeID: 11, namePrefix: "prd.zvirt.", count: 4 * scale, metricIDs: common),
      GeneratedResource(typeID: 21, namePrefix: "dc1_zvirtprod", count: 8 * scale, metricIDs: common),
      GeneratedResource(
        typeID: 212, namePrefix: "CTE0.B.IOM0.P", count: 4, metricIDs: common + [18]),
      GeneratedResource(typeID: 216, namePrefix: "StoragePool00", count: 1, metricIDs: Array(common.dropFirst())),
    ]
  }

  /// Values in one row.
  public var valuesPerRow: Int { resources.reduce(0) { $0 + $1.count * $1.metricIDs.count } }

  /// Samples in the whole export.
  public var totalSamples: Int { files * blocksPerFile * rowsPerBlock * valuesPerRow }

  /// Unix seconds of the first row of file `file`.
  public func fileStart(_ file: Int) -> Int64 {
    start + Int64(file * blocksPerFile * rowsPerBlock) * interval
  }

  /// The storage processor of file `file`: files alternate between SP0 and SP1.
  public func processor(_ file: Int) -> Int { file % 2 }

  /// The raw value of value position `position` in row `row` of block `block` of file `file`:
  /// a daily wave within the metric's typical range plus deterministic noise.
  public func value(file: Int, block: Int, row: Int, position: Int, metricID: Int) -> Int32 {
    let time = fileStart(file) + Int64(block * rowsPerBlock + row) * interval
    let range = Self.range(metricID)
    var hash = seed &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(bitPattern: time) &* 0xBF58_476D_1CE4_E5B9
    hash ^= UInt64(position) &* 0x94D0_49BB_1331_11EB
    hash ^= hash >> 31
    hash = hash &* 0xD6E8_FEB8_6659_FD93
    hash ^= hash >> 32
    let span = Int64(range.upperBound - range.lowerBound)
    let phase = Double((time + Int64(position) * 97) % 86_400) / 86_400
    let wave = 0.5 + 0.35 * sin(phase * 2 * Double.pi)
    let noise = Double(hash % 1000) / 1000 * 0.3 - 0.15
    let fraction = min(1, max(0, wave + noise))
    return Int32(Int64(range.lowerBound) + Int64(Double(span) * fraction))
  }

  /// Typical raw values of a metric: percentages, IOPS, bandwidth, sizes, latencies.
  static func range(_ metricID: Int) -> ClosedRange<Int32> {
    switch metricID {
    case 18, 68, 93, 95, 1299, 1075, 5: return 0...100
    case 22, 25, 28: return 0...12_000
    case 21, 23, 26: return 0...1_200
    case 24, 27: return 4...256
    case 370, 384, 385: return 100...2_000
    default: return 0...5_000
    }
  }
}

#if canImport(Glibc)
  import Glibc
#endif
