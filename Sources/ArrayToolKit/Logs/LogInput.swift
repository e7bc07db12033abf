// Opens the inputs of `analyze-logs`: a path, or `-` for standard input, either of them plain or
// gzip-compressed. Compression is recognised by its magic bytes rather than by the name, so that
// a rotated `app.log.1` that happens to be gzip, or a gzip piped in, is read all the same.

#if canImport(Glibc)
  import Glibc
#endif

/// Why one log input could not be read (to its end).
public struct LogInputError: UserFacingError, Equatable {
  public var path: String
  /// The byte offset in the file where reading stopped, when it is known.
  public var offset: Int64?
  public var reason: String

  public init(path: String, offset: Int64? = nil, reason: String) {
    self.path = path
    self.offset = offset
    self.reason = reason
  }

  public var userMessage: String {
    let place = offset.map { " at offset \($0)" } ?? ""
    return "\(path): \(reason)\(place)"
  }

  public var exitStatus: ExitStatus { .usage }
}

/// Opening log inputs.
enum LogInput {
  /// The name standard input goes by in messages.
  static let standardInputName = "(standard input)"

  /// A byte source for `name` (`-` is standard input), decompressing gzip transparently.
  /// - Throws: `SystemError` when the file cannot be opened.
  static func open(_ name: String) throws -> ByteSource {
    if name == "-" {
      return try decoding(DescriptorSource(descriptor: 0, name: standardInputName), name: name)
    }
    // A pipe given by name (`<(zcat api.log.1.gz)`, /dev/stdin in a pipeline, a FIFO) is read
    // as a stream, as `-` is; devices and other files that are not regular stay refused.
    if isPipe(name) {
      let descriptor = Glibc.open(name, O_RDONLY | O_CLOEXEC)
      guard descriptor >= 0 else { throw SystemError("cannot open \(name)", code: errno) }
      let pipe = DescriptorSource(descriptor: descriptor, name: name, owned: true)
      return try decoding(pipe, name: name)
    }
    return try decoding(try InputFile(path: name).stream(), name: name)
  }

  /// Whether `name` is a pipe (a FIFO, or /dev/stdin or `<(…)` standing for one).
  static func isPipe(_ name: String) -> Bool {
    var info = stat()
    return stat(name, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO
  }

  /// `source` itself, or its decompressed bytes when it starts with the gzip magic number.
  static func decoding(_ source: ByteSource, name: String) throws -> ByteSource {
    let display = name == "-" ? standardInputName : name
    var magic = [UInt8](repeating: 0, count: 2)
    let count = try magic.withUnsafeMutableBytes { try source.readFully(into: $0) }
    magic.removeLast(2 - count)
    let replay = ReplaySource(prefix: magic, rest: source)
    if magic == [0x1F, 0x8B] { return GzipLogSource(source: replay, name: display) }
    return replay
  }
}

/// Reads a file descriptor (standard input, a pipe opened by name) with `read(2)`.
final class DescriptorSource: ByteSource {
  private let descriptor: Int32
  private let name: String
  /// Whether the descriptor was opened for this source, and is closed with it.
  private let owned: Bool

  init(descriptor: Int32, name: String, owned: Bool = false) {
    self.descriptor = descriptor
    self.name = name
    self.owned = owned
  }

  deinit {
    if owned { close(descriptor) }
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
    while true {
      let count = Glibc.read(descriptor, base, buffer.count)
      if count >= 0 { return count }
      if errno == EINTR { continue }
      throw SystemError("cannot read \(name)", code: errno)
    }
  }
}

/// Hands out bytes already read (to look at the magic number) before the rest of a stream.
final class ReplaySource: ByteSource {
  private var prefix: [UInt8]
  private var offset = 0
  private let rest: ByteSource

  init(prefix: [UInt8], rest: ByteSource) {
    self.prefix = prefix
    self.rest = rest
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard offset < prefix.count else { return try rest.read(into: buffer) }
    let count = min(buffer.count, prefix.count - offset)
    prefix.withUnsafeBytes { bytes in
      buffer.baseAddress!.copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
    }
    offset += count
    return count
  }
}
