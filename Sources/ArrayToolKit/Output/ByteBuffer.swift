// A growable byte buffer written through raw pointers. Rendering samples appends a few bytes at a
// time hundreds of millions of times; Swift arrays check uniqueness and capacity on every append,
// this checks capacity once per line.

import Foundation

/// Bytes being rendered, owned by one thread at a time.
public final class ByteBuffer: @unchecked Sendable {
  public private(set) var count = 0
  public private(set) var capacity: Int
  private var storage: UnsafeMutablePointer<UInt8>

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
  public func append(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { append($0) }
  }

  /// Appends one byte; the caller has reserved room.
  @inline(__always)
  public func appendUnchecked(_ byte: UInt8) {
    storage[count] = byte
    count += 1
  }

  /// Appends the decimal digits of `value`; the caller has reserved 20 bytes.
  @inline(__always)
  public func appendIntegerUnchecked(_ value: Int64) {
    var magnitude = value.magnitude
    if value < 0 { appendUnchecked(UInt8(ascii: "-")) }
    if magnitude < 10 {
      appendUnchecked(UInt8(truncatingIfNeeded: magnitude) &+ 0x30)
      return
    }
    var digits = 0
    var probe = magnitude
    while probe > 0 {
      digits &+= 1
      probe /= 10
    }
    var position = count &+ digits
    count = position
    while magnitude >= 100 {
      let pair = Int(magnitude % 100) &* 2
      magnitude /= 100
      position &-= 2
      storage[position] = Self.pairs[pair]
      storage[position &+ 1] = Self.pairs[pair &+ 1]
    }
    if magnitude >= 10 {
      let pair = Int(magnitude) &* 2
      storage[position &- 2] = Self.pairs[pair]
      storage[position &- 1] = Self.pairs[pair &+ 1]
    } else {
      storage[position &- 1] = UInt8(truncatingIfNeeded: magnitude) &+ 0x30
    }
  }

  /// "00" "01" … "99" as consecutive digit pairs.
  private static let pairs: [UInt8] = {
    var table: [UInt8] = []
    for number in 0..<100 {
      table.append(UInt8(0x30 + number / 10))
      table.append(UInt8(0x30 + number % 10))
    }
    return table
  }()

  /// Appends the sample value of `raw` under `scale`; the caller has reserved 32 bytes.
  @inline(__always)
  public func appendValueUnchecked(_ raw: Int32, scale: ValueScale) {
    switch scale {
    case .none:
      appendIntegerUnchecked(Int64(raw))
    case .multiply(let factor):
      appendIntegerUnchecked(Int64(raw) &* factor)
    case .divide(let divisor):
      appendQuotientUnchecked(Int64(raw), divisor: divisor)
    }
  }

  /// Appends `raw / divisor` as an exact decimal when the divisor is 2^a × 5^b.
  private func appendQuotientUnchecked(_ raw: Int64, divisor: Int64) {
    guard let (digits, multiplier) = JSONText.fractionDigits(divisor) else {
      append(Array(JSONText.shortestDouble(Double(raw) / Double(divisor)).utf8))
      return
    }
    let magnitude = raw.magnitude
    let remainder = magnitude % UInt64(divisor)
    if raw < 0 { appendUnchecked(UInt8(ascii: "-")) }
    appendIntegerUnchecked(Int64(magnitude / UInt64(divisor)))
    guard remainder != 0 else { return }
    var fraction = remainder * multiplier
    var length = digits
    while fraction % 10 == 0 {
      fraction /= 10
      length -= 1
    }
    appendUnchecked(UInt8(ascii: "."))
    var position = count + length
    count = position
    while position > count - length {
      position -= 1
      storage[position] = UInt8(truncatingIfNeeded: fraction % 10) &+ 0x30
      fraction /= 10
    }
  }
}
