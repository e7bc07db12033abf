// A growable byte buffer written through raw pointers. Rendering samples appends a few bytes at a
// time hundreds of millions of times; Swift arrays check uniqueness and capacity on every append,
// this checks capacity once per line, and renderers write through `tail` between checks.

import Foundation

/// Bytes being rendered, owned by one thread at a time.
public final class ByteBuffer: @unchecked Sendable {
  /// Keeps the fields off the cache lines of objects allocated beside it (see `CacheLinePadding`).
  private let leadingPadding = CacheLinePadding()
  // One thread owns a buffer at a time, so the run-time exclusivity checks Swift makes on class
  // properties (two calls into the runtime per rendered line) guard nothing here.
  @exclusivity(unchecked) public private(set) var count = 0
  @exclusivity(unchecked) public private(set) var capacity: Int
  @exclusivity(unchecked) private var storage: UnsafeMutablePointer<UInt8>
  private let trailingPadding = CacheLinePadding()

  public init(capacity: Int = 1 << 16) {
    self.capacity = max(capacity, 64)
    storage = .allocate(capacity: self.capacity)
  }

  deinit { storage.deallocate() }

  /// The bytes written so far; valid until the buffer is changed.
  public var bytes: UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: storage, count: count)
  }

  /// The bytes as `Data` without copying them; the `Data` keeps this buffer alive, so the
  /// buffer must not be changed while the `Data` is in use.
  public var sharedData: Data {
    guard count > 0 else { return Data() }
    return Data(bytesNoCopy: storage, count: count, deallocator: .custom { [self] _, _ in
      withExtendedLifetime(self) {}
    })
  }

  /// The bytes written so far as `UInt8`s; valid until the buffer is changed.
  public var contents: UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: storage, count: count)
  }

  /// The first byte, `nil` when the buffer is empty.
  public var first: UInt8? { count > 0 ? storage[0] : nil }

  /// A copy of the bytes as an array.
  public var array: [UInt8] { Array(bytes) }

  /// Makes room for `extra` more bytes.
  @inline(__always)
  public func reserve(_ extra: Int) {
    if count + extra > capacity { grow(to: count + extra) }
  }

  private func grow(to needed: Int) {
    var newCapacity = capacity * 2
    while newCapacity < needed { newCapacity *= 2 }
    let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
    bigger.update(from: storage, count: count)
    storage.deallocate()
    storage = bigger
    capacity = newCapacity
  }

  /// Forgets the contents, keeping the memory.
  public func removeAll() { count = 0 }

  /// Appends raw bytes.
  @inline(__always)
  public func append(_ bytes: UnsafeRawBufferPointer) {
    reserve(bytes.count)
    if let base = bytes.baseAddress {
      (storage + count).update(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
    }
    count += bytes.count
  }

  @inline(__always)
  public func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    append(UnsafeRawBufferPointer(bytes))
  }

  /// Appends one byte.
  @inline(__always)
  public func append(_ byte: UInt8) {
    reserve(1)
    appendUnchecked(byte)
  }

  @inline(__always)
  public func append(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { append($0) }
  }

  /// Appends one byte; the caller has reserved room.
  @inline(__always)
  public func appendUnchecked(_ byte: UInt8) {
    storage[count] = byte
    count += 1
  }

  /// Where the next byte goes. A renderer that writes many small pieces reserves room, writes
  /// through this pointer and then calls `commit(upTo:)` once, instead of updating `count` per
  /// byte.
  @inline(__always)
  public var tail: UnsafeMutablePointer<UInt8> { storage + count }

  /// Takes the bytes written through `tail` up to `end` as part of the buffer.
  @inline(__always)
  public func commit(upTo end: UnsafeMutablePointer<UInt8>) {
    count = storage.distance(to: end)
  }

  /// Appends the decimal digits of `value`; the caller has reserved 20 bytes.
  @inline(__always)
  public func appendIntegerUnchecked(_ value: Int64) {
    commit(upTo: DecimalWriter.write(value, at: tail))
  }

  /// Appends the sample value of `raw` under `scale`; the caller has reserved 32 bytes.
  @inline(__always)
  public func appendValueUnchecked(_ raw: Int32, scale: DecimalScale) {
    commit(upTo: DecimalWriter.write(raw, scale: scale, at: tail))
  }

  /// Appends the sample value of `raw` under `scale`; the caller has reserved 32 bytes.
  public func appendValueUnchecked(_ raw: Int32, scale: ValueScale) {
    appendValueUnchecked(raw, scale: DecimalScale(scale))
  }
}
