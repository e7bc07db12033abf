// Walks a tar stream member by member without seeking: ustar, GNU (long names, base-256 sizes)
// and PAX archives as tar and other tools write them. Each member's data is handed out as a
// stream that reads straight from the underlying source into the caller's buffer, so a member
// of any size passes through in constant memory.

/// Reads the members of a tar archive from a forward-only stream.
///
/// Faults are `InputFault`s with offsets in the tar stream and without a path; callers place them
/// with `located(path:member:)`. Errors of the underlying source pass through unchanged.
///
/// A member whose name is unsafe as a path (`MemberName.unsafeReason`, the rule zip entries are
/// held to) is refused with `unsafe_name` rather than handed out, as `ZipArchive.open` refuses
/// such an entry: the name checked is the one in use, from a GNU long-name record or a PAX
/// `path` when there is one. A long name that a PAX path overrides is checked too, as some
/// readers take it instead, and so is a `path` in a PAX global header.
///
/// Each kind of extension header (GNU long name, GNU long link, PAX, PAX global) may come once
/// before a member; a second is `bad_header`. No writer makes such a chain, and without the
/// limit one would be read for as long as the stream lasts, a gzip bomb's worth of it. One the
/// end of the archive follows, with no member after it, is `bad_header` too.
public final class TarReader {
  /// Extension headers (long names, PAX records) larger than this are refused, not allocated.
  static let extensionLimit: Int64 = 1 << 20

  private let source: ByteSource
  private var position: Int64 = 0
  private var remainingData: Int64 = 0
  private var remainingPadding: Int64 = 0
  private var generation = 0
  private var ended = false
  private var failure: Error?
  private var currentName = ""

  /// Things worth knowing that are not faults (a lone zero block, missing end blocks).
  public private(set) var notes: [InputNote] = []

  /// Offset in the tar stream of the next byte the reader would read.
  public var bytesRead: Int64 { position }

  /// Reads the tar stream `source` from its first header block.
  public init(_ source: ByteSource) {
    self.source = source
  }

  /// Moves to the next member, skipping what is left of the current one.
  /// - Returns: the member, or nil at the end of the archive.
  public func next() throws -> TarMember? {
    if let failure { throw failure }
    generation += 1
    do {
      return try readMember()
    } catch {
      failure = error
      throw error
    }
  }

  /// After `next()` returned nil: reads the rest of the stream (the zero padding tar adds up to
  /// its record size), so that the layers beneath see their end and check it.
  /// - Throws: `trailing_garbage` at the first non-zero byte after the end of the archive.
  public func readToEnd() throws {
    if let failure { throw failure }
    // What follows the end is normally less than one 10 KiB record of zeros.
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 16)
    defer { scratch.deallocate() }
    while true {
      let count = try source.read(into: scratch)
      if count == 0 { return }
      let chunk = UnsafeRawBufferPointer(rebasing: scratch[0..<count])
      if let nonZero = chunk.firstIndex(where: { $0 != 0 }) {
        let fault = InputFault(
          .trailingGarbage, at: position + Int64(nonZero),
          "non-zero bytes follow the end of the tar archive")
        failure = fault
        throw fault
      }
      position += Int64(count)
    }
  }

  // MARK: - Members

  private func readMember() throws -> TarMember? {
    guard !ended else { return nil }
    try skip(remainingData + remainingPadding)
    remainingData = 0
    remainingPadding = 0

    var longName: String?
    var longLink: String?
    var pax: PaxRecords?
    // Where each kind of extension header before this member was, by type flag: each may come
    // once, so that a chain of them cannot keep the reader busy without a member.
    var extensionOffsets: [UInt8: Int64] = [:]
    var sawZeroBlock = false
    while true {
      let headerOffset = position
      guard let header = try readHeaderBlock(afterZeroBlock: sawZeroBlock) else {
        if TarReader.memberless(extensionOffsets) != nil {
          throw InputFault(
            .truncated, at: position, "the tar stream ends after an extension header")
        }
        ended = true
        return nil
      }
      if header.isZero {
        if sawZeroBlock {
          // A name record the end of the archive follows names nothing that is read here, but
          // a reader that takes the end blocks for a lone zero block gives it to what follows.
          if let (typeFlag, offset) = TarReader.memberless(extensionOffsets) {
            throw InputFault(
              .badHeader, at: offset,
              "the \(TarReader.extensionKind(typeFlag) ?? "extension header") is followed by "
                + "the end of the archive, not by a member")
          }
          ended = true
          return nil
        }
        sawZeroBlock = true
        continue
      }
      if sawZeroBlock {
        notes.append(
          InputNote(
            at: headerOffset - 512, "a single zero block inside the archive was skipped"))
        sawZeroBlock = false
      }

      try checkChecksum(header, at: headerOffset)
      var size: Int64
      do {
        size = try header.size()
      } catch let error as TarHeader.FieldError {
        throw InputFault(.badHeader, at: headerOffset + Int64(error.offsetInBlock), error.message)
      }

      if let kind = TarReader.extensionKind(header.typeFlag) {
        if let first = extensionOffsets[header.typeFlag] {
          throw InputFault(
            .badHeader, at: headerOffset,
            "a second \(kind) follows the one at offset \(first) with no member between them")
        }
        extensionOffsets[header.typeFlag] = headerOffset
      }
      switch header.typeFlag {
      case UInt8(ascii: "L"):
        longName = TarHeader.text(try readExtension(size: size, at: headerOffset)[...])
        continue
      case UInt8(ascii: "K"):
        longLink = TarHeader.text(try readExtension(size: size, at: headerOffset)[...])
        continue
      case UInt8(ascii: "x"):
        pax = try readPaxRecords(size: size, at: headerOffset)
        continue
      case UInt8(ascii: "g"):
        // Global PAX records set defaults (times, owners) that say nothing about our members,
        // but a `path` among them is the name of every member after it for GNU tar.
        let global = try readPaxRecords(size: size, at: headerOffset)
        if let path = global.path, let reason = MemberName.unsafeReason(path) {
          throw InputFault(
            .unsafeName, at: headerOffset,
            "the path \(path) of the PAX global header, which names the members after it, is "
              + "refused: \(reason)")
        }
        continue
      default:
        break
      }

      if let paxSize = pax?.size {
        guard paxSize <= TarHeader.sizeLimit else {
          throw InputFault(.badHeader, at: headerOffset, "the PAX size \(paxSize) is too large")
        }
        size = paxSize
      }
      let name = pax?.path ?? longName ?? header.name
      if let reason = MemberName.unsafeReason(name) {
        let source =
          if pax?.path != nil, let offset = extensionOffsets[UInt8(ascii: "x")] {
            " (named by the PAX header at offset \(offset))"
          } else if longName != nil, let offset = extensionOffsets[UInt8(ascii: "L")] {
            " (named by the GNU long-name record at offset \(offset))"
          } else {
            ""
          }
        throw InputFault(
          .unsafeName, at: headerOffset, "the member \(name)\(source) is refused: \(reason)")
      }
      // GNU tar takes the PAX path over a long-name record before it, Python's tarfile takes
      // the long name: both must be safe.
      if pax?.path != nil, let longName, let reason = MemberName.unsafeReason(longName),
        let offset = extensionOffsets[UInt8(ascii: "L")]
      {
        throw InputFault(
          .unsafeName, at: headerOffset,
          "the member \(longName) (named by the GNU long-name record at offset \(offset), which "
            + "some readers take over the PAX path \(name)) is refused: \(reason)")
      }
      currentName = name
      remainingData = size
      remainingPadding = TarReader.padding(size)
      return TarMember(
        name: name, size: size, kind: TarMember.Kind(typeFlag: header.typeFlag),
        linkName: pax?.linkPath ?? longLink ?? header.linkName, headerOffset: headerOffset,
        data: TarMemberData(reader: self, generation: generation))
    }
  }

  /// The first of the extension headers in `offsets` that would name or describe the member
  /// after them (long names, long links, PAX headers; not global headers), with its offset.
  private static func memberless(_ offsets: [UInt8: Int64]) -> (UInt8, Int64)? {
    offsets.filter { $0.key != UInt8(ascii: "g") }.min { $0.value < $1.value }
      .map { ($0.key, $0.value) }
  }

  /// What the extension header of `typeFlag` is called in messages; nil for a member's header.
  private static func extensionKind(_ typeFlag: UInt8) -> String? {
    switch typeFlag {
    case UInt8(ascii: "L"): return "GNU long-name record"
    case UInt8(ascii: "K"): return "GNU long-link record"
    case UInt8(ascii: "x"): return "PAX header"
    case UInt8(ascii: "g"): return "PAX global header"
    default: return nil
    }
  }

  /// Reads one header block; nil at a clean end of the stream.
  private func readHeaderBlock(afterZeroBlock: Bool) throws -> TarHeader? {
    let start = position
    var block = [UInt8](repeating: 0, count: TarHeader.blockSize)
    let count = try block.withUnsafeMutableBytes { try source.readFully(into: $0) }
    position += Int64(count)
    if count == 0 {
      if start > 0, !afterZeroBlock {
        notes.append(InputNote(at: start, "the tar archive has no end-of-archive blocks"))
      }
      return nil
    }
    if count < TarHeader.blockSize {
      let partial = TarHeader(block: block)
      if start == 0, !partial.hasUstarMagic {
        throw InputFault(
          .notTar, at: 0, "not a tar archive: only \(count) bytes, less than one header block")
      }
      if afterZeroBlock, block.allSatisfy({ $0 == 0 }) { return nil }
      throw InputFault(.truncated, at: position, "the tar stream ends inside a header block")
    }
    return TarHeader(block: block)
  }

  private func checkChecksum(_ header: TarHeader, at offset: Int64) throws {
    guard let problem = header.checksumProblem() else { return }
    if offset == 0, !header.hasUstarMagic {
      throw InputFault(.notTar, at: 0, "not a tar archive: the first block is no tar header")
    }
    throw InputFault(.tarChecksum, at: offset + 148, problem)
  }

  /// Reads the data of a GNU long-name or PAX header into memory, after checking its size.
  private func readExtension(size: Int64, at headerOffset: Int64) throws -> [UInt8] {
    guard size <= TarReader.extensionLimit else {
      throw InputFault(
        .badHeader, at: headerOffset + 124,
        "an extension header claims \(size) bytes (at most \(TarReader.extensionLimit) accepted)")
    }
    var data = [UInt8](repeating: 0, count: Int(size))
    let count = try data.withUnsafeMutableBytes { try source.readFully(into: $0) }
    position += Int64(count)
    guard count == Int(size) else {
      throw InputFault(.truncated, at: position, "the tar stream ends inside an extension header")
    }
    try skip(TarReader.padding(size))
    return data
  }

  /// Reads and parses the records of a PAX header (`x` or `g`).
  private func readPaxRecords(size: Int64, at headerOffset: Int64) throws -> PaxRecords {
    let data = try readExtension(size: size, at: headerOffset)
    do {
      return try PaxRecords(data)
    } catch let error as TarHeader.FieldError {
      throw InputFault(
        .badHeader, at: headerOffset + 512 + Int64(error.offsetInBlock), error.message)
    }
  }

  // MARK: - Data

  func readMemberData(into buffer: UnsafeMutableRawBufferPointer, generation: Int) throws -> Int {
    if let failure { throw failure }
    guard generation == self.generation, remainingData > 0, buffer.count > 0 else { return 0 }
    let wanted = Int(min(Int64(buffer.count), remainingData))
    let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]))
    guard count > 0 else {
      let fault = InputFault(
        .truncated, at: position,
        "the tar stream ends inside the data of \(currentName), \(remainingData) bytes short")
      failure = fault
      throw fault
    }
    position += Int64(count)
    remainingData -= Int64(count)
    return count
  }

  /// Reads and drops `count` bytes.
  private func skip(_ count: Int64) throws {
    guard count > 0 else { return }
    let scratch = UnsafeMutableRawBufferPointer.allocate(
      byteCount: Int(min(count, 64 * 1024)), alignment: 16)
    defer { scratch.deallocate() }
    var left = count
    while left > 0 {
      let wanted = Int(min(Int64(scratch.count), left))
      let got = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[0..<wanted]))
      guard got > 0 else {
        throw InputFault(
          .truncated, at: position, "the tar stream ends \(left) bytes before the next header")
      }
      position += Int64(got)
      left -= Int64(got)
    }
  }

  /// Bytes of zero padding after `size` bytes of data, up to the next 512-byte boundary.
  static func padding(_ size: Int64) -> Int64 {
    (512 - size % 512) % 512
  }
}
