// Streams the decompressed content of a gzip file (RFC 1952), member after member, and checks
// everything the format lets us check: the header (including its optional CRC-16), each member's
// CRC-32 and length, and what follows the last member. A `.tgz` that was cut while copying, or
// that someone appended to, is reported with the byte offset in the compressed stream.

/// A `ByteSource` of the bytes a gzip stream decompresses to.
///
/// Faults are thrown as `InputFault`s with an offset in the compressed stream and without a path;
/// callers place them with `located(path:member:)`. Errors of the underlying source pass through
/// unchanged. After a fault, every further read throws it again.
public final class GzipReader: ByteSource {
  private enum State {
    case header
    case body
    case trailer
    case afterMember
    case ended
  }

  private let input: BufferedInput
  private let inflater = RawInflater()
  private var state = State.header
  private var failure: Error?
  private var memberStart: Int64 = 0
  private var dataStart: Int64 = 0
  private var crc = CRC32()
  private var memberLength: Int64 = 0

  /// Things worth knowing that are not faults (zero padding after the last member).
  public private(set) var notes: [InputNote] = []
  /// Members whose trailer has been checked.
  public private(set) var membersRead = 0
  /// Decompressed bytes delivered so far, over all members.
  public private(set) var bytesProduced: Int64 = 0

  /// How far into the compressed stream the reader has consumed.
  public var compressedBytesRead: Int64 { input.position }

  /// Reads the gzip stream `source`, which must start with a gzip header.
  /// - Parameter size: the compressed size when known, so that a small stream gets a small
  ///   read buffer.
  public init(_ source: ByteSource, size: Int64? = nil) {
    self.input = BufferedInput(source, capacity: BufferedInput.capacity(forSize: size))
  }

  /// Reads decompressed bytes; 0 once the last member was checked and nothing else follows.
  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    if let failure { throw failure }
    guard buffer.count > 0 else { return 0 }
    do {
      while true {
        switch state {
        case .header:
          try readHeader()
          state = .body
        case .body:
          let produced = try inflate(into: buffer)
          if produced > 0 { return produced }
        case .trailer:
          try readTrailer()
          state = .afterMember
        case .afterMember:
          try startNextMemberOrEnd()
        case .ended:
          return 0
        }
      }
    } catch {
      failure = error
      throw error
    }
  }

  // MARK: - Member header

  private func readHeader() throws {
    memberStart = input.position
    var headerCRC = CRC32()
    guard let fixed = try input.take(10) else {
      // Too short for a header: still say "not gzip" when the bytes there show it is not.
      let seen = [UInt8](input.available.prefix(2))
      if membersRead == 0, !seen.isEmpty, !seen.elementsEqual([0x1f, 0x8b].prefix(seen.count)) {
        throw InputFault(.notGzip, at: 0, GzipReader.describeMagic(seen))
      }
      throw cutShort("the member header")
    }
    headerCRC.update(fixed)
    if fixed[0] != 0x1f || fixed[1] != 0x8b {
      throw InputFault(.notGzip, at: memberStart, GzipReader.describeMagic([UInt8](fixed[0..<2])))
    }
    guard fixed[2] == 8 else {
      throw InputFault(
        .badHeader, at: memberStart + 2, "compression method \(fixed[2]) is not deflate (8)")
    }
    let flags = fixed[3]
    guard flags & 0xe0 == 0 else {
      throw InputFault(
        .badHeader, at: memberStart + 3,
        "reserved header flag bits are set (flags \(ArchiveBytes.hex(flags, digits: 2)))")
    }

    if flags & 0x04 != 0 {
      guard let lengthBytes = try input.take(2) else { throw cutShort("the extra field") }
      headerCRC.update(lengthBytes)
      let length = Int(lengthBytes[0]) | Int(lengthBytes[1]) << 8
      try skip(length, "the extra field", crc: &headerCRC)
    }
    if flags & 0x08 != 0 { try skipZeroTerminated("the file name", crc: &headerCRC) }
    if flags & 0x10 != 0 { try skipZeroTerminated("the comment", crc: &headerCRC) }
    if flags & 0x02 != 0 {
      let fieldOffset = input.position
      guard let stored = try input.take(2) else { throw cutShort("the header CRC") }
      let expected = UInt16(stored[0]) | UInt16(stored[1]) << 8
      let actual = UInt16(truncatingIfNeeded: headerCRC.value)
      guard expected == actual else {
        throw InputFault(
          .badHeader, at: fieldOffset,
          "header CRC-16 is \(ArchiveBytes.hex(expected, digits: 4)) but the header gives "
            + "\(ArchiveBytes.hex(actual, digits: 4))")
      }
    }

    dataStart = input.position
    inflater.reset()
    crc = CRC32()
    memberLength = 0
  }

  /// Consumes `count` header bytes without keeping them.
  private func skip(_ count: Int, _ field: String, crc headerCRC: inout CRC32) throws {
    var left = count
    while left > 0 {
      if input.available.isEmpty, try !input.fill() { throw cutShort(field) }
      let chunk = UnsafeRawBufferPointer(rebasing: input.available.prefix(left))
      headerCRC.update(chunk)
      input.consume(chunk.count)
      left -= chunk.count
    }
  }

  /// Consumes a NUL-terminated header field, however long, without keeping it.
  private func skipZeroTerminated(_ field: String, crc headerCRC: inout CRC32) throws {
    while true {
      if input.available.isEmpty, try !input.fill() { throw cutShort(field) }
      let chunk = input.available
      if let zero = chunk.firstIndex(of: 0) {
        headerCRC.update(UnsafeRawBufferPointer(rebasing: chunk[...zero]))
        input.consume(zero + 1)
        return
      }
      headerCRC.update(chunk)
      input.consume(chunk.count)
    }
  }

  // MARK: - Deflate data

  /// Inflates into `buffer`; returns 0 only when the member's deflate stream ended.
  private func inflate(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let produced: Int?
    do {
      produced = try input.inflate(inflater, into: buffer)
    } catch InflateError.corrupt(let reason) {
      throw InputFault(
        .badHeader, at: dataStart + inflater.inputConsumed,
        "corrupt deflate data in member \(membersRead + 1): \(reason)")
    }
    guard let produced else { throw cutShort("the compressed data") }
    crc.update(UnsafeRawBufferPointer(rebasing: buffer[0..<produced]))
    memberLength += Int64(produced)
    bytesProduced += Int64(produced)
    if inflater.finished { state = .trailer }
    return produced
  }

  // MARK: - Trailer and what follows

  private func readTrailer() throws {
    let trailerOffset = input.position
    guard let trailer = try input.take(8) else { throw cutShort("the member trailer") }
    let storedCRC = ArchiveBytes.uint32(trailer, at: 0)
    let storedLength = ArchiveBytes.uint32(trailer, at: 4)
    let member = membersRead + 1
    guard storedCRC == crc.value else {
      throw InputFault(
        .crcMismatch, at: trailerOffset,
        "member \(member): the trailer gives CRC-32 \(ArchiveBytes.hex(storedCRC, digits: 8)) "
          + "but the data has \(ArchiveBytes.hex(crc.value, digits: 8))")
    }
    let actualLength = UInt32(truncatingIfNeeded: memberLength)
    guard storedLength == actualLength else {
      throw InputFault(
        .sizeMismatch, at: trailerOffset + 4,
        "member \(member): the trailer gives a length of \(storedLength) bytes (mod 2^32) but "
          + "the data is \(memberLength) bytes")
    }
    membersRead += 1
  }

  /// After a member: another member, zero padding up to the end, or the end itself.
  private func startNextMemberOrEnd() throws {
    guard try input.require(1) else {
      state = .ended
      return
    }
    let first = input.available[0]
    if first == 0x1f, try input.require(2), input.available[1] == 0x8b {
      state = .header
      return
    }
    guard first == 0 else {
      throw InputFault(
        .trailingGarbage, at: input.position,
        "bytes that are not a gzip member follow member \(membersRead)")
    }
    try skipZeroPadding()
    state = .ended
  }

  /// Zeros after the last member are padding some writers add (tape blocks); anything else is
  /// garbage at the offset of its first non-zero byte.
  private func skipZeroPadding() throws {
    let paddingStart = input.position
    while true {
      if input.available.isEmpty, try !input.fill() { break }
      let chunk = input.available
      if let nonZero = chunk.firstIndex(where: { $0 != 0 }) {
        input.consume(nonZero)
        throw InputFault(
          .trailingGarbage, at: input.position,
          "non-zero bytes follow \(input.position - paddingStart) zero bytes after the last "
            + "gzip member")
      }
      input.consume(chunk.count)
    }
    notes.append(
      InputNote(
        at: paddingStart,
        "\(input.position - paddingStart) zero bytes of padding after the last gzip member"))
  }

  // MARK: - Helpers

  private func cutShort(_ part: String) -> InputFault {
    let offset = input.endOfRead
    if offset == 0 { return InputFault(.truncated, at: 0, "the gzip stream is empty") }
    return InputFault(
      .truncated, at: offset,
      "the gzip stream ends inside \(part) of member \(membersRead + 1)")
  }

  private static func describeMagic(_ bytes: [UInt8]) -> String {
    let shown = bytes.map { ArchiveBytes.hex($0, digits: 2) }.joined(separator: " ")
    if bytes == [0x50, 0x4b] {
      return "not gzip data: starts with \(shown) (\"PK\", a zip archive)"
    }
    return "not gzip data: starts with \(shown) instead of 0x1f 0x8b"
  }
}
