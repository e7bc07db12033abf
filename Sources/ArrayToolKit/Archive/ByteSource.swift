// The byte streams that archive readers and the .dat decoder are built from. Every layer
// (file, zip entry, gzip member, tar member) is a `ByteSource`, so they compose into one pipeline
// without temporary files.

#if canImport(Glibc)
  import Glibc
#endif

/// A forward-only stream of bytes.
public protocol ByteSource: AnyObject {
  /// Reads up to `buffer.count` bytes into `buffer` and returns how many; 0 means the end.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteSource {
  /// Fills `buffer` completely unless the stream ends first; returns the bytes read.
  public func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    var filled = 0
    while filled < buffer.count {
      let count = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
      if count == 0 { break }
      filled += count
    }
    return filled
  }
}

/// A file opened for reading with `pread`, so that several readers can share it.
public final class InputFile {
  public let path: String
  public let size: Int64
  private let descriptor: Int32

  /// Opens `path` for reading.
  /// - Throws: `SystemError` naming the path when it cannot be opened or is a directory.
  public init(path: String) throws {
    self.path = path
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw SystemError("cannot open \(path)", code: errno) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else {
      let code = errno
      close(descriptor)
      throw SystemError("cannot read \(path)", code: code)
    }
    if (info.st_mode & S_IFMT) == S_IFDIR {
      close(descriptor)
      throw SystemError("cannot read \(path)", code: EISDIR)
    }
    self.descriptor = descriptor
    self.size = Int64(info.st_size)
  }

  deinit { close(descriptor) }

  /// Reads up to `buffer.count` bytes at `offset`; fewer only at the end of the file.
  public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    var filled = 0
    while filled < buffer.count {
      let count = pread(
        descriptor, buffer.baseAddress! + filled, buffer.count - filled, off_t(offset) + off_t(filled))
      if count < 0 {
        if errno == EINTR { continue }
        throw SystemError("cannot read \(path)", code: errno)
      }
      if count == 0 { break }
      filled += count
    }
    return filled
  }

  /// Reads `count` bytes at `offset` into a new array; shorter at the end of the file.
  public func bytes(at offset: Int64, count: Int) throws -> [UInt8] {
    var result = [UInt8](repeating: 0, count: count)
    let got = try result.withUnsafeMutableBytes { try read(at: offset, into: $0) }
    result.removeLast(count - got)
    return result
  }

  /// A stream over `length` bytes starting at `offset` (the rest of the file when `nil`).
  public func stream(from offset: Int64 = 0, length: Int64? = nil) -> FileRangeSource {
    FileRangeSource(file: self, offset: offset, length: length ?? max(0, size - offset))
  }
}

/// Shown each run of bytes read from a file, with the file offset of its first byte: lets a
/// digest of the whole file be computed while its parts are being checked.
public typealias FileReadObserver = (Int64, UnsafeRawBufferPointer) throws -> Void

/// A window of a file read front to back.
public final class FileRangeSource: ByteSource {
  public let file: InputFile
  private var offset: Int64
  private var remaining: Int64
  /// Sees every byte this stream reads, in order.
  public var observer: FileReadObserver?

  init(file: InputFile, offset: Int64, length: Int64) {
    self.file = file
    self.offset = offset
    self.remaining = length
  }

  /// How far into the file the stream has read.
  public var position: Int64 { offset }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let wanted = Int(min(Int64(buffer.count), remaining))
    guard wanted > 0 else { return 0 }
    let count = try file.read(
      at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]))
    if let observer {
      try observer(offset, UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
    }
    offset += Int64(count)
    remaining -= Int64(count)
    if count < wanted { remaining = 0 }
    return count
  }
}

/// A stream over bytes already in memory (tests, small headers).
public final class MemorySource: ByteSource {
  private let bytes: [UInt8]
  private var offset = 0

  public init(_ bytes: [UInt8]) { self.bytes = bytes }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let count = min(buffer.count, bytes.count - offset)
    guard count > 0 else { return 0 }
    bytes.withUnsafeBytes { source in
      buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
    }
    offset += count
    return count
  }
}
