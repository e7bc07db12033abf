// The guard against decompression bombs: a compressed stream may expand to at most a set multiple
// of the bytes it was read from, and to at most a set total. A gzip member states its length only
// in its trailer, after the work is done, so the limit is enforced while the data flows; a zip
// entry states its sizes up front and is judged before it is opened.

/// How far compressed data may expand.
public struct ExpansionLimits: Sendable, Equatable {
  /// Expanded bytes always allowed, whatever the ratio: tiny streams have large ratios.
  public static let allowance: Int64 = 1 << 20

  /// Most expanded bytes per compressed byte read from disk; nil for no limit.
  public var maxRatio: Double?
  /// Most bytes one stream may expand to; nil for no limit.
  public var maxBytes: Int64?

  public init(maxRatio: Double?, maxBytes: Int64?) {
    self.maxRatio = maxRatio
    self.maxBytes = maxBytes
  }

  /// The most bytes data read from `compressedSize` bytes on disk may expand to, and why.
  public func limit(compressedSize: Int64) -> (bytes: Int64, reason: String)? {
    var result: (bytes: Int64, reason: String)?
    if let maxRatio {
      let scaled = Double(max(compressedSize, 0)) * maxRatio
      let bytes = scaled >= Double(Int64.max / 2) ? Int64.max / 2 : Int64(scaled)
      let limit = max(bytes, ExpansionLimits.allowance)
      result = (
        limit,
        "more than \(ExpansionLimits.formatRatio(maxRatio)) times the \(compressedSize) "
          + "compressed bytes it is read from (--max-ratio)"
      )
    }
    if let maxBytes, maxBytes < result?.bytes ?? Int64.max {
      result = (maxBytes, "more than the \(maxBytes) bytes allowed (--max-size)")
    }
    return result
  }

  /// Why `expanded` bytes from `compressedSize` bytes is too much; nil when it is within limits.
  public func excess(expanded: Int64, compressedSize: Int64) -> String? {
    guard let limit = limit(compressedSize: compressedSize), expanded > limit.bytes else {
      return nil
    }
    return "expands to \(expanded) bytes, " + limit.reason
  }

  static func formatRatio(_ ratio: Double) -> String {
    ratio == ratio.rounded() && ratio < 1e15 ? String(Int64(ratio)) : String(ratio)
  }
}

/// Passes on the output of a gzip stream until it exceeds its limit, then stops with
/// `ratio_limit` at the compressed offset reached.
final class ExpansionGuard: ByteSource {
  private let gzip: GzipReader
  private let limit: Int64
  private let reason: String
  private var passed: Int64 = 0

  init(_ gzip: GzipReader, limit: Int64, reason: String) {
    self.gzip = gzip
    self.limit = limit
    self.reason = reason
  }

  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let count = try gzip.read(into: buffer)
    passed += Int64(count)
    guard passed <= limit else {
      throw InputFault(
        .ratioLimit, at: gzip.compressedBytesRead,
        "the gzip stream expands to " + reason + "; stopped after \(limit) bytes")
    }
    return count
  }
}
