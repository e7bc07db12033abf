// Decompresses gzip logs (`app.log.gz`, rotated `app.log.1.gz`, several members written one
// after another by `logrotate` or `cat a.gz b.gz`) as a stream for `analyze-logs`. It checks each
// member's CRC-32 and length, and tells where a cut-off or damaged log stops being readable.
// TODO(archive): shares its purpose with the archive reader's gzip stream; one reader could
// serve both once both exist.

/// A `ByteSource` of the decompressed bytes of a gzip stream.
final class GzipLogSource: ByteSource {
  private enum Phase { case header, body, trailer, done }

  private let source: ByteSource
  private let name: String
  private var input = [UInt8](repeating: 0, count: 1 << 16)
  private var inputStart = 0
  private var inputEnd = 0
  /// Offset in the compressed stream of `input[0]`.
  private var inputOffset: Int64 = 0
  private var sourceEnded = false
  private let inflater = RawInflater()
  private var phase = Phase.header
  private var crc = CRC32()
  private var size: UInt32 = 0
  private var members = 0

  init(source: ByteSource, name: String) {
    self.source = source
    self.name = name
  }

  private var offset: Int64 { inputOffset + Int64(inputStart) }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    while true {
      switch phase {
      case .done:
        return 0
      case .header:
        phase = try readHeader() ? .body : .done
      case .trailer:
        try readTrailer()
        phase = .header
      case .body:
        if inputStart == inputEnd, try !refill() {
          throw LogInputError(path: name, offset: offset, reason: "gzip data ends early")
        }
        let (consumed, produced) = try inflate(into: buffer)
        inputStart += consumed
        if produced > 0 {
          let output = UnsafeRawBufferPointer(rebasing: buffer[..<produced])
          crc.update(output)
          size &+= UInt32(truncatingIfNeeded: produced)
        }
        if inflater.finished { phase = .trailer }
        if produced > 0 { return produced }
        if consumed == 0 && !inflater.finished, try !refill() {
          throw LogInputError(path: name, offset: offset, reason: "gzip data ends early")
        }
      }
    }
  }

  private func inflate(
    into buffer: UnsafeMutableRawBufferPointer
  ) throws -> (consumed: Int, produced: Int) {
    do {
      return try input.withUnsafeBytes { bytes in
        try inflater.inflate(
          input: UnsafeRawBufferPointer(rebasing: bytes[inputStart..<inputEnd]), output: buffer)
      }
    } catch InflateError.corrupt(let message) {
      throw LogInputError(path: name, offset: offset, reason: "corrupt gzip data (\(message))")
    }
  }

  /// Reads a member header; `false` at a clean end (nothing, or only zero padding, follows).
  private func readHeader() throws -> Bool {
    guard try available(1) else { return false }
    if members > 0, input[inputStart] == 0 {
      return false
    }
    guard try available(10), input[inputStart] == 0x1F, input[inputStart + 1] == 0x8B else {
      throw LogInputError(path: name, offset: offset, reason: "not gzip data")
    }
    guard input[inputStart + 2] == 8 else {
      throw LogInputError(path: name, offset: offset, reason: "unknown gzip compression method")
    }
    let flags = input[inputStart + 3]
    inputStart += 10
    if flags & 0x04 != 0 {
      guard try available(2) else { throw truncatedHeader() }
      let extra = Int(input[inputStart]) | Int(input[inputStart + 1]) << 8
      inputStart += 2
      try skip(extra)
    }
    if flags & 0x08 != 0 { try skipZeroTerminated() }
    if flags & 0x10 != 0 { try skipZeroTerminated() }
    if flags & 0x02 != 0 { try skip(2) }
    members += 1
    inflater.reset()
    crc = CRC32()
    size = 0
    return true
  }

  private func readTrailer() throws {
    guard try available(8) else {
      throw LogInputError(path: name, offset: offset, reason: "gzip trailer is missing")
    }
    let expectedCRC = littleEndian(at: inputStart)
    let expectedSize = littleEndian(at: inputStart + 4)
    guard expectedCRC == crc.value else {
      throw LogInputError(path: name, offset: offset, reason: "gzip CRC-32 mismatch")
    }
    guard expectedSize == size else {
      throw LogInputError(path: name, offset: offset, reason: "gzip length mismatch")
    }
    inputStart += 8
  }

  private func littleEndian(at index: Int) -> UInt32 {
    (0..<4).reduce(0) { $0 | UInt32(input[index + $1]) << (8 * $1) }
  }

  private func truncatedHeader() -> LogInputError {
    LogInputError(path: name, offset: offset, reason: "gzip header ends early")
  }

  private func skip(_ count: Int) throws {
    var remaining = count
    while remaining > 0 {
      guard try available(1) else { throw truncatedHeader() }
      let step = min(remaining, inputEnd - inputStart)
      inputStart += step
      remaining -= step
    }
  }

  private func skipZeroTerminated() throws {
    while true {
      guard try available(1) else { throw truncatedHeader() }
      let byte = input[inputStart]
      inputStart += 1
      if byte == 0 { return }
    }
  }

  /// Makes sure `count` unread bytes are buffered; `false` when the stream ends first.
  private func available(_ count: Int) throws -> Bool {
    while inputEnd - inputStart < count {
      guard try refill() else { return false }
    }
    return true
  }

  /// Reads more compressed bytes after the unread ones; `false` at the end of the stream.
  private func refill() throws -> Bool {
    guard !sourceEnded else { return false }
    if inputStart > 0 {
      input.replaceSubrange(0..<(inputEnd - inputStart), with: input[inputStart..<inputEnd])
      inputOffset += Int64(inputStart)
      inputEnd -= inputStart
      inputStart = 0
    }
    let count = try input.withUnsafeMutableBytes { bytes in
      try source.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[inputEnd...]))
    }
    if count == 0 {
      sourceEnded = true
      return false
    }
    inputEnd += count
    return true
  }
}
