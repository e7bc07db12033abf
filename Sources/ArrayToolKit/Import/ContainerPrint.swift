// What tells two performance files of one name apart: the size and CRC-32 of the bytes they are
// stored as (the .tgz, .tar or .dat). The name says which array, controller and time window a
// file holds, but a copy cut short or exported again holds other bytes under the same name, and
// taking it for the file imported before would lose what only it holds.

/// The size and CRC-32 of a unit's container bytes.
struct ContainerPrint: Codable, Hashable, Sendable {
  var size: Int64
  var crc32: UInt32
}

extension DatUnit {
  /// The print of the bytes this unit is stored as: a zip entry's from its central directory,
  /// a file's by reading it.
  /// - Throws: `SystemError` when the file cannot be read.
  func containerPrint() throws -> ContainerPrint {
    if let entry { return ContainerPrint(size: entry.uncompressedSize, crc32: entry.crc32) }
    let file = try InputFile(path: path)
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    defer { buffer.deallocate() }
    var crc = CRC32()
    var offset: Int64 = 0
    while true {
      let count = try file.read(at: offset, into: buffer)
      if count == 0 { break }
      crc.update(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
      offset += Int64(count)
    }
    return ContainerPrint(size: offset, crc32: crc.value)
  }
}
