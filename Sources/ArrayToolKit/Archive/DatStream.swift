// The .dat bytes of one unit, read through every layer it is packed in, with each layer's faults
// placed where a user can find them.
//
// Where faults point (the `member` of an `InputFault`):
// - faults of the zip entry, the gzip stream and the tar archive name the container:
//   `member` is the zip entry (`2025-09-25/X.tgz`), or nil when the .tgz is a file on disk;
//   gzip offsets count compressed bytes of the .tgz, tar offsets bytes of the tar stream, zip
//   offsets bytes of the zip file;
// - faults in the .dat content, which the decoder finds, go one level deeper:
//   `datMember` is `2025-09-25/X.tgz!X.dat` in a zip, `X.dat` for a .tgz on disk, the entry
//   name for a bare .dat in a zip and nil for a .dat file; offsets count bytes of the .dat.
//   `locate(_:)` fills this in.

/// A stream of one unit's .dat bytes.
public final class DatStream: ByteSource {
  /// The file on disk.
  public let path: String
  /// The zip entry holding the unit, nil for a file on disk.
  public let member: String?
  /// The .dat's name as stored in the tar (or the .dat file's name).
  public let datName: String
  /// The .dat size from the tar header, the zip entry or the file; nil when unknown.
  public let length: Int64?
  /// The member chain for faults of the .dat content (see the file comment).
  public let datMember: String?

  private let base: ByteSource
  private let gzip: GzipReader?
  /// The gzip output as the tar reads it (behind the expansion limit, when there is one).
  private let inflated: ByteSource?
  private let tar: TarReader?
  private let content: ByteSource
  private var ownNotes: [InputNote] = []
  /// Bytes of the .dat delivered so far.
  public private(set) var bytesRead: Int64 = 0
  private var finished = false
  /// The note that the .dat in the tar is not named like its container, also in `notes`;
  /// `verify` counts it as a fault.
  public private(set) var nameMismatch: InputNote?

  init(unit: DatUnit, hooks: DatStreamHooks = DatStreamHooks()) throws {
    path = unit.path
    member = unit.member
    let size: Int64
    let compressedSize: Int64
    var raw: ByteSource
    if let archive = unit.archive, let entry = unit.entry {
      raw = try archive.open(entry, observer: hooks.fileRead)
      size = entry.uncompressedSize
      compressedSize = entry.compressedSize
    } else {
      let file = try InputFile(path: unit.path)
      let stream = file.stream()
      stream.observer = hooks.fileRead
      raw = stream
      size = file.size
      compressedSize = file.size
    }
    if let containerRead = hooks.containerRead {
      raw = ObservedSource(raw, observer: containerRead)
    }
    base = raw

    switch unit.format {
    case .dat:
      gzip = nil
      inflated = nil
      tar = nil
      content = base
      datName = unit.name
      length = size
      datMember = unit.member
      return
    case .tgz:
      let gzip = GzipReader(base, size: size)
      self.gzip = gzip
      let output: ByteSource =
        if let limit = hooks.expansion?.limit(compressedSize: compressedSize) {
          ExpansionGuard(gzip, limit: limit.bytes, reason: limit.reason)
        } else {
          gzip
        }
      inflated = output
      tar = TarReader(output)
    case .tar:
      gzip = nil
      inflated = nil
      tar = TarReader(base)
    }

    let first: TarMember
    do {
      first = try DatStream.onlyRegularMember(tar?.next())
    } catch {
      throw DatStream.locate(error, path: unit.path, member: unit.member)
    }
    content = first.data
    datName = first.name
    length = first.size
    datMember = unit.member.map { "\($0)!\(first.name)" } ?? first.name
    let expected = DatStream.datName(forContainer: unit.name)
    if DatUnit.lastComponent(first.name) != expected {
      let note = InputNote(
        at: first.headerOffset,
        "the tar holds \(first.name.isEmpty ? "a member without a name" : first.name), not "
          + "\(expected) as its name says",
        path: path, member: member)
      nameMismatch = note
      ownNotes.append(note)
    }
  }

  /// Reads .dat bytes; faults of any layer are thrown located (see the file comment).
  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    do {
      let count = try content.read(into: buffer)
      bytesRead += Int64(count)
      return count
    } catch {
      throw DatStream.locate(error, path: path, member: member)
    }
  }

  /// After the .dat was read: checks that nothing follows it in the tar, and reads every layer
  /// to its end so that it checks itself (gzip CRC-32 and length, bytes after the gzip stream,
  /// the zip entry's CRC-32).
  /// - Throws: `InputFault` located like those of `read(into:)`, for example
  ///   `unexpected_members` when the tar holds a second member.
  public func finish() throws {
    guard !finished else { return }
    finished = true
    do {
      if let tar {
        if let extra = try tar.next() {
          throw InputFault(
            .unexpectedMembers, at: extra.headerOffset,
            "a second member, \(extra.name), follows \(datName); only one .dat is expected")
        }
        try tar.readToEnd()
      } else {
        try DatStream.drain(base)
      }
    } catch {
      throw DatStream.locate(error, path: path, member: member)
    }
  }

  /// After a fault: reads what is left of the container's bytes (the .tgz, .tar or .dat as
  /// stored), so that hooks see all of them and a zip entry still checks its CRC-32.
  ///
  /// With `checkingCompression`, for a fault the .dat decoder found, the rest of a gzip stream
  /// is read through it first (within the expansion limit): a flipped bit in the compressed
  /// bytes shows first as a .dat that makes no sense, and only the gzip CRC-32 at the end says
  /// that the file itself is damaged rather than what the array wrote.
  /// - Returns: the gzip layer's fault, located, when reading it to its end met one.
  /// - Throws: faults of the zip entry or the file, located.
  public func drainContainer(checkingCompression: Bool = false) throws -> InputFault? {
    var compressionFault: InputFault?
    if checkingCompression, let inflated {
      do {
        try DatStream.drain(inflated)
      } catch {
        let located = DatStream.locate(error, path: path, member: member)
        guard let fault = located as? InputFault else { throw located }
        compressionFault = fault
      }
    }
    try DatStream.drain(base)
    return compressionFault
  }

  /// Bytes the container expanded to so far: the gzip output of a .tgz, else the bytes read.
  public var expandedBytes: Int64 {
    gzip?.bytesProduced ?? tar?.bytesRead ?? bytesRead
  }

  /// Notes of every layer (zero padding after the gzip stream, a name that differs), located.
  public var notes: [InputNote] {
    let layers = (gzip?.notes ?? []) + (tar?.notes ?? [])
    return ownNotes
      + layers.map { note in
        var located = note
        located.path = path
        located.member = member
        return located
      }
  }

  /// Bytes of the .tgz, .tar or .dat consumed so far, for progress against
  /// `DatUnit.containerSize`.
  public var containerBytesRead: Int64 {
    gzip?.compressedBytesRead ?? tar?.bytesRead ?? bytesRead
  }

  /// Places a fault of the .dat content (found by the decoder, offset in the .dat) at
  /// `path` and `datMember`.
  public func locate(_ fault: InputFault) -> InputFault {
    fault.located(path: path, member: datMember)
  }

  // MARK: - Helpers

  private static func onlyRegularMember(_ member: TarMember?) throws -> TarMember {
    guard let member else {
      throw InputFault(
        .unexpectedMembers, at: 0, "the tar archive holds no member; a .dat was expected")
    }
    guard member.kind == .regular else {
      throw InputFault(
        .unexpectedMembers, at: member.headerOffset,
        "the first member, \(member.name), is \(member.kind.description), not a .dat file")
    }
    return member
  }

  /// Places faults the layers threw without a path; faults that already know their place (those
  /// of a zip entry) and other errors pass unchanged.
  private static func locate(_ error: Error, path: String, member: String?) -> Error {
    guard let fault = error as? InputFault, fault.path.isEmpty else { return error }
    return fault.located(path: path, member: member)
  }

  private static func drain(_ source: ByteSource) throws {
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    defer { scratch.deallocate() }
    while try source.read(into: scratch) > 0 {}
  }

  /// `X.dat` for `X.tgz`, `X.tar.gz` or `X.tar`.
  static func datName(forContainer name: String) -> String {
    for suffix in [".tar.gz", ".tgz", ".tar"] where name.lowercased().hasSuffix(suffix) {
      return String(name.dropLast(suffix.count)) + ".dat"
    }
    return name + ".dat"
  }
}
