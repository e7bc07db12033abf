// The stream of one zip entry's uncompressed bytes. Stored data is read straight into the
// caller's buffer; deflate data is inflated into it from a large read-ahead buffer. When the data
// ends, the CRC-32 and size are compared with the central directory, and so is the data
// descriptor that follows the data when the writer could not seek back (a streamed zip).

/// Reads one entry of a `ZipArchive`; made by `ZipArchive.open(_:)`.
final class ZipEntryReader: ByteSource {
  private let file: InputFile
  private let entry: ZipEntry
  private let dataOffset: Int64
  private let wideDescriptor: Bool
  private let stored: FileRangeSource
  private let input: BufferedInput?
  private let inflater: RawInflater?
  private var crc = CRC32()
  private var produced: Int64 = 0
  private var ended = false
  private var failure: Error?

  init(
    file: InputFile, entry: ZipEntry, dataOffset: Int64, wideDescriptor: Bool,
    observer: FileReadObserver? = nil
  ) {
    self.file = file
    self.entry = entry
    self.dataOffset = dataOffset
    self.wideDescriptor = wideDescriptor
    self.stored = file.stream(from: dataOffset, length: entry.compressedSize)
    stored.observer = observer
    if entry.method == 8 {
      input = BufferedInput(
        stored, capacity: BufferedInput.capacity(forSize: entry.compressedSize),
        position: dataOffset)
      inflater = RawInflater()
    } else {
      input = nil
      inflater = nil
    }
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    if let failure { throw failure }
    guard !ended, buffer.count > 0 else { return 0 }
    do {
      let count = try readData(into: buffer)
      if count == 0 {
        try checkEnd()
        ended = true
        return 0
      }
      crc.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
      produced += Int64(count)
      guard produced <= entry.uncompressedSize else {
        // Stop at once: an entry that inflates beyond its declared size may never stop.
        throw InputFault(
          .sizeMismatch, at: input?.position ?? stored.position,
          "the entry inflates to more than the \(entry.uncompressedSize) bytes the central "
            + "directory gives")
      }
      return count
    } catch let fault as InputFault {
      let located = fault.located(path: file.path, member: entry.name)
      failure = located
      throw located
    }
  }

  /// Stored or inflated bytes; 0 at the end of the entry's data.
  private func readData(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard let input, let inflater else { return try stored.read(into: buffer) }
    let produced: Int?
    do {
      produced = try input.inflate(inflater, into: buffer)
    } catch InflateError.corrupt(let reason) {
      throw InputFault(
        .badHeader, at: dataOffset + inflater.inputConsumed, "corrupt deflate data: \(reason)")
    }
    guard let produced else {
      throw InputFault(
        .truncated, at: input.position,
        "the entry's compressed data (\(entry.compressedSize) bytes) ends inside the deflate "
          + "stream")
    }
    return produced
  }

  private func checkEnd() throws {
    let dataEnd = dataOffset + entry.compressedSize
    if let inflater, inflater.inputConsumed != entry.compressedSize {
      throw InputFault(
        .sizeMismatch, at: dataOffset + inflater.inputConsumed,
        "the deflate stream ends after \(inflater.inputConsumed) bytes but the central "
          + "directory gives a compressed size of \(entry.compressedSize)")
    }
    guard produced == entry.uncompressedSize else {
      throw InputFault(
        .sizeMismatch, at: dataEnd,
        "the entry holds \(produced) bytes but the central directory gives "
          + "\(entry.uncompressedSize)")
    }
    guard crc.value == entry.crc32 else {
      throw InputFault(
        .crcMismatch, at: dataEnd,
        "the data has CRC-32 \(ArchiveBytes.hex(crc.value, digits: 8)) but the central "
          + "directory gives \(ArchiveBytes.hex(entry.crc32, digits: 8))")
    }
    if entry.hasDataDescriptor { try checkDescriptor(at: dataEnd) }
  }

  /// A data descriptor is CRC-32, compressed and uncompressed size, 4 bytes each or (ZIP64)
  /// 8 bytes for the sizes, optionally after a signature. Its form is not recorded anywhere,
  /// so each form is tried against the central directory's values.
  private func checkDescriptor(at offset: Int64) throws {
    let bytes = try file.bytes(at: offset, count: 24)
    let widths = wideDescriptor ? [8, 4] : [4, 8]
    for signed in [true, false] {
      for width in widths {
        let start = signed ? 4 : 0
        guard bytes.count >= start + 4 + 2 * width else { continue }
        if signed, ArchiveBytes.uint32(bytes, at: 0) != 0x0807_4b50 { continue }
        let crc = ArchiveBytes.uint32(bytes, at: start)
        let sizes = [start + 4, start + 4 + width].map { at in
          width == 8
            ? ArchiveBytes.uint64(bytes, at: at) : UInt64(ArchiveBytes.uint32(bytes, at: at))
        }
        if crc == entry.crc32,
          sizes == [UInt64(entry.compressedSize), UInt64(entry.uncompressedSize)]
        {
          return
        }
      }
    }
    if bytes.count < 12 {
      throw InputFault(.truncated, at: file.size, "the file ends inside the data descriptor")
    }
    throw InputFault(
      .badHeader, at: offset,
      "the data descriptor does not match the central directory's CRC-32 and sizes")
  }
}
