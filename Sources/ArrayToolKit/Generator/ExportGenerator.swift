// Writes realistic exports with known contents, deterministically: the .dat files of a profile,
// packed as the array packs them (.tgz per file, a .zip of day folders) or as a folder of .tgz.
// Tests, the benchmark and users who want to try a pipeline without an array use it.

import Foundation

/// Generates exports from an `ExportProfile`.
public struct ExportGenerator {
  public let profile: ExportProfile

  public init(profile: ExportProfile) {
    self.profile = profile
  }

  /// The name of file `file` without extension.
  public func baseName(_ file: Int) -> String {
    let stamp = Self.stamp(profile.fileStart(file))
    return "PerfData_\(profile.model)_SN_\(profile.serial)_SP\(profile.processor(file))_0_\(stamp)"
  }

  /// The zip member (or folder path) of file `file`: `YYYY-MM-DD/<name>.tgz`.
  public func memberName(_ file: Int) -> String {
    String(Self.stamp(profile.fileStart(file)).prefix(8)).enumerated().reduce(into: "") {
      text, pair in
      if pair.offset == 4 || pair.offset == 6 { text += "-" }
      text.append(pair.element)
    } + "/" + baseName(file) + ".tgz"
  }

  /// The .dat bytes of file `file`.
  public func dat(_ file: Int) -> [UInt8] {
    var body: [UInt8] = []
    let positions = metricsByPosition()
    for block in 0..<profile.blocksPerFile {
      let start = profile.fileStart(file) + Int64(block * profile.rowsPerBlock) * profile.interval
      let json = Array(headerJSON(start: start, end: start + Int64(profile.rowsPerBlock) * profile.interval).utf8)
      append32(0, to: &body)
      append32(UInt32(json.count + 8), to: &body)
      body += json
      body.reserveCapacity(body.count + profile.rowsPerBlock * positions.count * 4)
      for row in 0..<profile.rowsPerBlock {
        for (position, metric) in positions.enumerated() {
          let value = profile.value(file: file, block: block, row: row, position: position, metricID: metric)
          append32(UInt32(bitPattern: value), to: &body)
        }
      }
    }
    var header = [UInt8](repeating: 0, count: DatFileHeader.size)
    for index in 0..<32 { header[index] = UInt8(truncatingIfNeeded: index &* 37 &+ 11) }
    header[32] = 1
    for (index, byte) in profile.serial.utf8.prefix(256).enumerated() { header[36 + index] = byte }
    for (index, byte) in profile.model.utf8.prefix(41).enumerated() { header[292 + index] = byte }
    let length = UInt32(truncatingIfNeeded: body.count)
    for index in 0..<4 { header[333 + index] = UInt8(truncatingIfNeeded: length >> (8 * index)) }
    return header + body
  }

  /// The .tgz bytes of file `file`: a gzip-compressed ustar archive holding its .dat.
  public func tgz(_ file: Int) -> [UInt8] {
    let tar = TarWriter.archive(name: baseName(file) + ".dat", bytes: dat(file), modified: profile.fileStart(file))
    return Gzip.compress(tar, level: 6)
  }

  /// Writes the export as one zip of day folders, with a `SHA256SUMS` member unless told not to.
  /// - Returns: the SHA-256 of the zip itself, for a manifest beside it.
  @discardableResult
  public func writeZip(to path: String, manifest: Bool = true) throws -> String {
    let writer = try ZipWriter(path: path)
    var lines: [String] = []
    for file in 0..<profile.files {
      let bytes = tgz(file)
      if manifest { lines.append("\(Digest.hex(.sha256, of: bytes))  \(memberName(file))") }
      try writer.addStored(name: memberName(file), bytes: bytes, modified: profile.fileStart(file))
    }
    if manifest {
      try writer.addStored(
        name: "SHA256SUMS", bytes: Array((lines.joined(separator: "\n") + "\n").utf8),
        modified: profile.fileStart(0))
    }
    return try writer.finish()
  }

  /// Writes the export as a folder of day folders holding the .tgz files.
  public func writeDirectory(to path: String) throws {
    for file in 0..<profile.files {
      let target = path + "/" + memberName(file)
      let folder = (target as NSString).deletingLastPathComponent
      do {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      } catch {
        throw SystemError("cannot create folder \(folder)", code: EEXIST,
                          reason: "a file is in the way, or the path is not writable")
      }
      guard FileManager.default.createFile(atPath: target, contents: Data(tgz(file))) else {
        throw SystemError("cannot write \(target)", code: errno)
      }
    }
  }

  /// The metric id of every value position of a row.
  public func metricsByPosition() -> [Int] {
    profile.resources.flatMap { resource in
      (0..<resource.count).flatMap { _ in resource.metricIDs }
    }
  }

  /// The element name of every value position of a row, with its resource type.
  public func elementsByPosition() -> [(typeID: Int, element: String)] {
    profile.resources.flatMap { resource in
      (0..<resource.count).flatMap { index in
        resource.metricIDs.map { _ in (resource.typeID, elementName(resource, index)) }
      }
    }
  }

  func elementName(_ resource: GeneratedResource, _ index: Int) -> String {
    switch resource.typeID {
    case 207: return resource.namePrefix + (index == 0 ? "A" : index == 1 ? "B" : "\(index)")
    case 10: return resource.namePrefix + String(1 + 2 * index)
    case 11, 216: return resource.namePrefix + String(format: "%02d", 1 + 2 * index)
    case 21: return resource.namePrefix + String(format: "%02d", 2 + index)
    default: return resource.namePrefix + String(index)
    }
  }

  private func headerJSON(start: Int64, end: Int64) -> String {
    func quoted(_ items: [String]) -> String {
      items.map { "\"\($0)\"" }.joined(separator: ",")
    }
    var nextID = 40_960
    let map = profile.resources.map { resource -> String in
      let ids = (0..<resource.count).map { _ -> String in
        nextID += 1
        return String(nextID)
      }
      let names = (0..<resource.count).map { elementName(resource, $0) }
      return "\"\(resource.typeID)\":{\"IDs\":[\(quoted(ids))],\"Names\":[\(quoted(names))],"
        + "\"DataTypes\":[\(resource.metricIDs.map(String.init).joined(separator: ","))]}"
    }.joined(separator: ",")
    return "{\"StartTime\":\"\(start)\",\"EndTime\":\"\(end)\",\"Archive\":\"\(profile.interval)\","
      + "\"CtrlID\":\"1128\",\"Map\":{\(map)}}"
  }

  private func append32(_ value: UInt32, to bytes: inout [UInt8]) {
    bytes += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
  }

  /// `YYYYMMDDhhmmss` (UTC) of Unix seconds.
  static func stamp(_ seconds: Int64) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyyMMddHHmmss"
    return formatter.string(from: Date(timeIntervalSince1970: Double(seconds)))
  }
}
