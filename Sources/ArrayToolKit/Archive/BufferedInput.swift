// A read-ahead window over a `ByteSource` for the readers that parse records of varying length
// (gzip headers, zip central directories) and feed compressed data to zlib. It reads in large
// chunks so that the cost of a read is paid once per chunk, never once per byte, and it keeps
// count of where in the stream the next unconsumed byte lies, so that faults can name offsets.

/// Buffered, position-aware reading from a `ByteSource`.
final class BufferedInput {
  /// Bytes read from the source at a time; a record must fit into this (zip records do: they are
  /// at most 46 + 3 × 65535 bytes).
  static let defaultCapacity = 256 * 1024

  /// A capacity for reading a source of `size` bytes (nil: unknown): no larger than the source,
  /// since an export holds thousands of small members and a fresh large buffer for each costs
  /// more in page faults than the data takes to inflate.
  static func capacity(forSize size: Int64?) -> Int {
    guard let size else { return defaultCapacity }
    return Int(min(max(size, 4096), Int64(defaultCapacity)))
  }

  private let source: ByteSource
  private let storage: UnsafeMutableRawBufferPointer
  private var start = 0
  private var end = 0
  private var sourceEnded = false

  /// The stream offset of the next unconsumed byte.
  private(set) var position: Int64

  /// - Parameter position: the stream offset of the source's first byte.
  init(_ source: ByteSource, capacity: Int = BufferedInput.defaultCapacity, position: Int64 = 0) {
    self.source = source
    self.storage = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
    self.position = position
  }

  deinit { storage.deallocate() }

  /// The bytes read ahead and not consumed yet.
  var available: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[start..<end]) }

  /// The stream offset just past the last byte read from the source.
  var endOfRead: Int64 { position + Int64(end - start) }

  /// Marks `count` available bytes as used.
  func consume(_ count: Int) {
    start += count
    position += Int64(count)
  }

  /// Reads more of the source behind the available bytes.
  /// - Returns: false when the source has ended (nothing was added).
  @discardableResult
  func fill() throws -> Bool {
    guard !sourceEnded else { return false }
    if start > 0 {
      // Move the unconsumed tail to the front so the rest of the storage can take new data.
      let count = end - start
      if let base = storage.baseAddress, count > 0 {
        base.copyMemory(from: base + start, byteCount: count)
      }
      start = 0
      end = count
    }
    guard end < storage.count else { return true }
    let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[end...]))
    if count == 0 {
      sourceEnded = true
      return false
    }
    end += count
    return true
  }

  /// Reads until at least `count` bytes are available (`count` ≤ capacity).
  /// - Returns: false when the source ended first.
  func require(_ count: Int) throws -> Bool {
    guard count <= storage.count else { return false }
    while end - start < count {
      if try !fill() { return false }
    }
    return true
  }

  /// Consumes `count` bytes and returns them (`count` ≤ capacity); nil if the source ends first.
  func take(_ count: Int) throws -> [UInt8]? {
    guard try require(count) else { return nil }
    let bytes = [UInt8](UnsafeRawBufferPointer(rebasing: storage[start..<(start + count)]))
    consume(count)
    return bytes
  }

  /// Inflates buffered input into `buffer` until some output appears or the deflate stream
  /// ends, reading more input as zlib asks for it.
  /// - Returns: the bytes produced (0 only once `inflater.finished`), or nil when the source
  ///   ended before the deflate stream did.
  /// - Throws: `InflateError.corrupt` for invalid data; errors of the source.
  func inflate(_ inflater: RawInflater, into buffer: UnsafeMutableRawBufferPointer) throws -> Int? {
    while !inflater.finished {
      // Once the source has ended zlib is still asked with no input: output it could not fit
      // into the last buffer (the rest of a long match, say) is pending inside it.
      if available.isEmpty { try fill() }
      let result = try inflater.inflate(input: available, output: buffer)
      consume(result.consumed)
      if result.produced > 0 { return result.produced }
      if result.consumed == 0, !inflater.finished {
        // zlib took nothing and gave nothing: it needs more input than is buffered.
        let buffered = available.count
        guard try fill(), available.count > buffered else { return nil }
      }
    }
    return 0
  }
}
