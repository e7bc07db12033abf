// One .dat file to decode, wherever it lives: a .tgz inside a zip, a .tgz or .tar on disk, a
// bare .dat. A unit is a plain value that can be handed to any thread and opened there; opening
// builds the chain of streams (zip entry → gzip → tar member) that yields the .dat bytes.

/// A .dat file found in the user's inputs, not opened yet.
public struct DatUnit: Sendable {
  /// How the .dat is packed in what `name` names.
  public enum Format: Sendable, Equatable {
    /// A gzip-compressed tar holding one .dat (`.tgz`, `.tar.gz`).
    case tgz
    /// An uncompressed tar holding one .dat.
    case tar
    /// The .dat itself.
    case dat
  }

  /// The file on disk.
  public let path: String
  /// The zip entry holding the unit; nil when the file itself is the .tgz, .tar or .dat.
  public let member: String?
  /// The file name of the .tgz, .tar or .dat (without folders), which carries the serial.
  public let name: String
  /// How the .dat is packed.
  public let format: Format
  /// Size of the .tgz, .tar or .dat in bytes (uncompressed size of a zip entry), for progress.
  public let containerSize: Int64

  let archive: ZipArchive?
  let entry: ZipEntry?

  init(path: String, format: Format, size: Int64) {
    self.path = path
    self.member = nil
    self.name = DatUnit.lastComponent(path)
    self.format = format
    self.containerSize = size
    self.archive = nil
    self.entry = nil
  }

  init(archive: ZipArchive, entry: ZipEntry, format: Format) {
    self.path = archive.path
    self.member = entry.name
    self.name = DatUnit.lastComponent(entry.name)
    self.format = format
    self.containerSize = entry.uncompressedSize
    self.archive = archive
    self.entry = entry
  }

  /// `path!member`, or `path` alone: how messages name the unit.
  public var location: String {
    member.map { "\(path)!\($0)" } ?? path
  }

  /// Opens the unit for reading its .dat bytes; can be called on any thread, once per reader.
  /// - Throws: `InputFault` located with `path` and `member` (a damaged container, a tar that
  ///   holds no member or no regular file); `SystemError` when the file cannot be read.
  /// - Parameter hooks: observers of the bytes read and limits on their expansion.
  public func open(hooks: DatStreamHooks = DatStreamHooks()) throws -> DatStream {
    try DatStream(unit: self, hooks: hooks)
  }

  /// The file name at the end of `path`; zips made on Windows may separate folders with `\`.
  static func lastComponent(_ path: String) -> String {
    path.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? path
  }
}

/// What a caller can attach to the reading of a unit without changing how it is read.
public struct DatStreamHooks {
  /// Sees the bytes read from the file on disk with their offsets (a whole-file digest).
  public var fileRead: FileReadObserver?
  /// Sees the container's bytes, the .tgz, .tar or .dat as stored (a member's digest).
  public var containerRead: ((UnsafeRawBufferPointer) throws -> Void)?
  /// Stops a gzip stream that expands too far, with `ratio_limit`.
  public var expansion: ExpansionLimits?

  public init(
    fileRead: FileReadObserver? = nil,
    containerRead: ((UnsafeRawBufferPointer) throws -> Void)? = nil,
    expansion: ExpansionLimits? = nil
  ) {
    self.fileRead = fileRead
    self.containerRead = containerRead
    self.expansion = expansion
  }
}
