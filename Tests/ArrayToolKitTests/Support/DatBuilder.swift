// Builds .dat files with known contents, and damaged variants of them, for tests.

@testable import ArrayToolKit

/// A resource type of a test block.
struct TestResource {
  var typeID: Int
  var elements: [(id: String, name: String)]
  var metrics: [Int]
}

/// A block of a test .dat file; `value(row, position)` gives the raw value of each cell.
struct TestBlock {
  var start: Int64
  var end: Int64
  var archive: Int64
  var resources: [TestResource]
  var controller: String? = "1128"
  var value: (Int, Int) -> Int32 = { row, position in Int32(row * 1000 + position) }

  var valuesPerRow: Int { resources.reduce(0) { $0 + $1.elements.count * $1.metrics.count } }
  var rowCount: Int { Int((end - start) / archive) }

  /// The header JSON, keys in the order the array writes them.
  var headerJSON: String {
    func quoted(_ text: String) -> String {
      var result = "\""
      for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": result += "\\\""
        case "\\": result += "\\\\"
        default: result.unicodeScalars.append(scalar)
        }
      }
      return result + "\""
    }
    let map = resources.map { resource in
      "\"\(resource.typeID)\":{\"IDs\":[\(resource.elements.map { quoted($0.id) }.joined(separator: ","))],"
        + "\"Names\":[\(resource.elements.map { quoted($0.name) }.joined(separator: ","))],"
        + "\"DataTypes\":[\(resource.metrics.map(String.init).joined(separator: ","))]}"
    }.joined(separator: ",")
    var fields = "\"StartTime\":\"\(start)\",\"EndTime\":\"\(end)\",\"Archive\":\"\(archive)\""
    if let controller { fields += ",\"CtrlID\":\"\(controller)\"" }
    return "{\(fields),\"Map\":{\(map)}}"
  }
}

enum DatBuilder {
  static let serial = "2102350TST10KA000042"
  static let model = "OceanStorDorado5000V6"

  /// The fixed 337-byte file header.
  static func fileHeader(serial: String = serial, model: String = model, length: UInt32 = 0)
    -> [UInt8]
  {
    var bytes = [UInt8](repeating: 0xA5, count: 32)
    bytes += le32(1)
    bytes += padded(serial, 256)
    bytes += padded(model, 41)
    bytes += le32(length)
    return bytes
  }

  /// A block: type, header length, header JSON, rows.
  static func block(_ block: TestBlock, type: UInt32 = 0, headerJSON: String? = nil) -> [UInt8] {
    let json = Array((headerJSON ?? block.headerJSON).utf8)
    var bytes = le32(type) + le32(UInt32(json.count + 8)) + json
    let width = block.valuesPerRow
    for row in 0..<block.rowCount {
      for position in 0..<width { bytes += le32(UInt32(bitPattern: block.value(row, position))) }
    }
    return bytes
  }

  /// A whole .dat file.
  static func file(_ blocks: [TestBlock], serial: String = serial) -> [UInt8] {
    let body = blocks.flatMap { block($0) }
    return fileHeader(serial: serial, length: UInt32(body.count)) + body
  }

  /// The standard name of a file of `serial`, controller `sp`, starting at `stamp`.
  static func name(serial: String = serial, sp: Int = 0, stamp: String = "20250925000000",
                   suffix: String = ".dat") -> String {
    "PerfData_\(model)_SN_\(serial)_SP\(sp)_0_\(stamp)\(suffix)"
  }

  static func le32(_ value: UInt32) -> [UInt8] {
    [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
  }

  static func padded(_ text: String, _ count: Int) -> [UInt8] {
    let bytes = Array(text.utf8.prefix(count))
    return bytes + [UInt8](repeating: 0, count: count - bytes.count)
  }

  /// The controller block of the format document's example: metric 22 of CTE0.B is 5348 in row 0.
  static let controllerBlock = TestBlock(
    start: 1_758_758_400, end: 1_758_758_400 + 180, archive: 60,
    resources: [TestResource(typeID: 207, elements: [("847872", "CTE0.B")], metrics: [22, 311])],
    value: { row, position in position == 0 ? Int32(5348 + row) : Int32(1268 + row) })
}
