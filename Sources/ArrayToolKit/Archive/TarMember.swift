// One member of a tar archive as `TarReader` hands it out: its name after all extension headers
// (GNU long names, PAX records, the ustar prefix) are applied, its size, and a stream of its data.

/// A file, directory or other entry of a tar archive.
public struct TarMember {
  /// What the member is, from the header's type flag.
  public enum Kind: Equatable, Sendable {
    /// A regular file (type `0`, NUL, or `7` contiguous file).
    case regular
    /// Type `5`.
    case directory
    /// Type `2`.
    case symlink
    /// Anything else (hard link `1`, devices, FIFOs, vendor types), with its type flag byte.
    case other(typeFlag: UInt8)

    init(typeFlag: UInt8) {
      switch typeFlag {
      case 0, UInt8(ascii: "0"), UInt8(ascii: "7"): self = .regular
      case UInt8(ascii: "5"): self = .directory
      case UInt8(ascii: "2"): self = .symlink
      default: self = .other(typeFlag: typeFlag)
      }
    }

    /// How a person would call it, with its article (`a regular file`, `a hard link`, `an entry
    /// of type 'V'`).
    public var description: String {
      switch self {
      case .regular: return "a regular file"
      case .directory: return "a directory"
      case .symlink: return "a symbolic link"
      case .other(let flag):
        switch flag {
        case UInt8(ascii: "1"): return "a hard link"
        case UInt8(ascii: "3"): return "a character device"
        case UInt8(ascii: "4"): return "a block device"
        case UInt8(ascii: "6"): return "a FIFO"
        case 0x21...0x7e: return "an entry of type '\(Character(Unicode.Scalar(flag)))'"
        default: return "an entry of type \(flag)"
        }
      }
    }
  }

  /// The path inside the archive.
  public let name: String
  /// Bytes of data that follow the header.
  public let size: Int64
  /// File, directory, link or other, from the type flag.
  public let kind: Kind
  /// The target of a link; empty for other kinds.
  public let linkName: String
  /// Offset in the tar stream of the member's own header block (after any extension headers).
  public let headerOffset: Int64
  /// The member's data, exactly `size` bytes; valid until `TarReader.next()` is called again.
  public let data: ByteSource

  /// Offset in the tar stream of the first data byte.
  public var dataOffset: Int64 { headerOffset + 512 }
}

/// The data of the member a `TarReader` is positioned at.
final class TarMemberData: ByteSource {
  private unowned let reader: TarReader
  private let generation: Int

  init(reader: TarReader, generation: Int) {
    self.reader = reader
    self.generation = generation
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    try reader.readMemberData(into: buffer, generation: generation)
  }
}
