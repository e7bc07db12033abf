// The one place arraytool talks to zlib: raw inflate for zip entries and gzip members, gzip
// deflate for request bodies, and CRC-32.

import CZlib

/// CRC-32 as zip and gzip use it, computed incrementally.
public struct CRC32: Sendable {
  public private(set) var value: UInt32 = 0

  public init() {}

  public mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    var remaining = bytes.count
    var pointer = base.assumingMemoryBound(to: Bytef.self)
    var crc = uLong(value)
    while remaining > 0 {
      let chunk = min(remaining, Int(UInt32.max >> 1))
      crc = crc32(crc, pointer, uInt(chunk))
      pointer += chunk
      remaining -= chunk
    }
    value = UInt32(truncatingIfNeeded: crc)
  }

  public mutating func update(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { update($0) }
  }

  /// The CRC-32 of `bytes` in one go.
  public static func checksum(_ bytes: [UInt8]) -> UInt32 {
    var crc = CRC32()
    crc.update(bytes)
    return crc.value
  }
}

/// Why zlib could not go on.
public enum InflateError: Error, Equatable {
  /// The compressed data is not valid deflate; zlib's message.
  case corrupt(String)
  /// The input ended before the deflate stream did.
  case truncated
}

/// A raw deflate decompressor (no zlib or gzip wrapper), fed input as it arrives.
public final class RawInflater {
  private var stream = z_stream()
  /// Whether the end of the deflate stream has been reached.
  public private(set) var finished = false

  public init() {
    let status = inflateInit2_(
      &stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    precondition(status == Z_OK, "zlib inflateInit2 failed: \(status)")
  }

  deinit { inflateEnd(&stream) }

  /// Compressed bytes consumed since the stream (re)started; after a `corrupt` error, where zlib
  /// stopped, so that a fault can name the offset of the bad data.
  public var inputConsumed: Int64 { Int64(stream.total_in) }

  /// Starts a new deflate stream (for the next gzip member).
  public func reset() {
    inflateReset(&stream)
    finished = false
  }

  /// Inflates from `input` into `output`.
  /// - Returns: bytes consumed from `input` and bytes written to `output`. Once the deflate
  ///   stream ends, `finished` is true and the unconsumed input belongs to what follows it.
  public func inflate(
    input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer
  ) throws -> (consumed: Int, produced: Int) {
    guard !finished else { return (0, 0) }
    stream.next_in = UnsafeMutablePointer(
      mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
    stream.avail_in = uInt(input.count)
    stream.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
    stream.avail_out = uInt(output.count)
    let status = CZlib.inflate(&stream, Z_NO_FLUSH)
    let consumed = input.count - Int(stream.avail_in)
    let produced = output.count - Int(stream.avail_out)
    switch status {
    case Z_STREAM_END:
      finished = true
    case Z_OK:
      break
    case Z_BUF_ERROR:
      // No progress was possible: more input or more output space is needed.
      break
    default:
      let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
      throw InflateError.corrupt(message)
    }
    return (consumed, produced)
  }
}

/// Compresses a whole buffer into the gzip format (for HTTP request bodies).
public enum Gzip {
  /// `bytes` compressed as one gzip member at `level` (1 fastest … 9 smallest).
  public static func compress(_ bytes: UnsafeRawBufferPointer, level: Int32 = 1) -> [UInt8] {
    deflate(bytes, level: level, windowBits: 15 + 16)
  }

  public static func compress(_ bytes: [UInt8], level: Int32 = 1) -> [UInt8] {
    bytes.withUnsafeBytes { compress($0, level: level) }
  }

  /// Compresses `bytes` as a raw deflate stream (for zip entries written by tests).
  public static func rawDeflate(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
    bytes.withUnsafeBytes { deflate($0, level: level, windowBits: -15) }
  }

  /// One deflate pass; `windowBits` picks the wrapper (gzip above 15, none below 0).
  private static func deflate(
    _ bytes: UnsafeRawBufferPointer, level: Int32, windowBits: Int32
  ) -> [UInt8] {
    var stream = z_stream()
    let status = deflateInit2_(
      &stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
      Int32(MemoryLayout<z_stream>.size))
    precondition(status == Z_OK, "zlib deflateInit2 failed: \(status)")
    defer { deflateEnd(&stream) }
    let bound = Int(deflateBound(&stream, uLong(bytes.count)))
    var output = [UInt8](repeating: 0, count: bound)
    let written = output.withUnsafeMutableBytes { out -> Int in
      stream.next_in = UnsafeMutablePointer(
        mutating: bytes.baseAddress?.assumingMemoryBound(to: Bytef.self))
      stream.avail_in = uInt(bytes.count)
      stream.next_out = out.baseAddress!.assumingMemoryBound(to: Bytef.self)
      stream.avail_out = uInt(out.count)
      let result = CZlib.deflate(&stream, Z_FINISH)
      precondition(result == Z_STREAM_END, "zlib deflate did not finish: \(result)")
      return out.count - Int(stream.avail_out)
    }
    output.removeLast(output.count - written)
    return output
  }
}
